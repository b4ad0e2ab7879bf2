/**
 * Shape checks of passports and of the mainland travel permits for Hong Kong / Macau and Taiwan
 * residents. All findings are WARNINGS: we know the usual shapes, not every historical series,
 * and a slightly odd number must not stop a hospital's document (DOMAIN.md, What hospitals send).
 *
 * Shapes: 港澳居民来往内地通行证 H/M + 8 digits (2013 card) or + 10 digits (older booklet);
 * 台湾居民来往大陆通行证 8 digits (2015 card), older booklets 10 characters, optionally with a
 * letter in brackets; Chinese ordinary passports E + 8 (E12345678 or EA1234567) and the older
 * G + 8 digits; other countries 6–9 letters/digits (ICAO 9303 allows up to 9 characters).
 * Passport systems are http://hl7.org/fhir/sid/passport-{ISO 3166-1 alpha-3}.
 */
import type { Issue } from '../../errors.js';
import { identifierKind, PASSPORT_SYSTEM_PREFIX } from './identifier-kind.js';
import { issue, identifiersOf, stringField, type ResourceCheck } from './issue.js';

const HK_MACAU_PERMIT = /^[HM](\d{8}|\d{10})$/i;
const TAIWAN_PERMIT = /^(\d{8}|[A-Z0-9]{10}|\d{10}\([A-Z]\))$/i;
const CHINESE_PASSPORT = /^[EG][A-Z0-9]\d{7}$/i;
const FOREIGN_PASSPORT = /^[A-Z0-9]{6,9}$/i;
/** 18-character residence-permit numbers are left to the resident ID check. */
const RESIDENCE_PERMIT_NUMBER = /^8[123]0000\d{11}[\dXx]$/;

export const checkTravelDocuments: ResourceCheck = (resource, path) => {
  const issues: Issue[] = [];
  for (const { identifier, index } of identifiersOf(resource)) {
    const raw = stringField(identifier, 'value');
    if (raw === undefined) continue;
    const value = raw.trim();
    if (RESIDENCE_PERMIT_NUMBER.test(value)) continue;
    const at = `${path}.identifier[${index}].value`;
    const kind = identifierKind(identifier);
    if (kind === 'hk-macau-permit' && !HK_MACAU_PERMIT.test(value)) {
      issues.push(issue('warning', 'value', 'cn-hk-macau-permit-format', [at],
        'Mainland travel permit for Hong Kong/Macau residents should be H or M followed by 8 or 10 digits',
        '港澳居民来往内地通行证号码应为H或M加8位或10位数字'));
    } else if (kind === 'taiwan-permit' && !TAIWAN_PERMIT.test(value)) {
      issues.push(issue('warning', 'value', 'cn-taiwan-permit-format', [at],
        'Mainland travel permit for Taiwan residents should be 8 digits (older booklets: 10 characters)',
        '台湾居民来往大陆通行证号码应为8位数字（旧版本为10位）'));
    } else if (kind === 'passport') {
      const system = stringField(identifier, 'system') ?? '';
      const issuer = system.startsWith(PASSPORT_SYSTEM_PREFIX) ? system.slice(PASSPORT_SYSTEM_PREFIX.length) : undefined;
      if (issuer !== undefined && !/^[A-Z]{3}$/.test(issuer)) {
        issues.push(issue('warning', 'value', 'cn-passport-system', [`${path}.identifier[${index}].system`],
          'Passport system should end with the ISO 3166-1 alpha-3 code of the issuing country in upper case (http://hl7.org/fhir/sid/passport-CHN)',
          '护照标识系统应以签发国 ISO 3166-1 三字母大写代码结尾（如 http://hl7.org/fhir/sid/passport-CHN）'));
      }
      const chinese = issuer === 'CHN';
      if (chinese ? !CHINESE_PASSPORT.test(value) : !FOREIGN_PASSPORT.test(value)) {
        issues.push(issue('warning', 'value', 'cn-passport-format', [at],
          chinese
            ? 'Chinese passport number should be E or G followed by 8 characters'
            : 'Passport number should be 6 to 9 letters or digits',
          chinese ? '中国护照号码应为E或G加8位字符' : '护照号码应为6至9位字母或数字'));
      }
    }
  }
  return issues;
};
