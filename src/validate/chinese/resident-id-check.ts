/**
 * Check of GB 11643 resident ID numbers in any resource's identifiers, cross-checked against the
 * resource's own birthDate and gender (Patient, Practitioner, RelatedPerson).
 *
 * Severity policy (DOMAIN.md, What hospitals send): a number that cannot be a resident ID (bad
 * shape, impossible birth date, wrong ISO 7064 check character) is an ERROR — identity is what
 * cross-border matching rests on; disagreement with birthDate / gender, unknown address codes and
 * legacy 15-digit numbers are WARNINGS. An untyped value under the generic WS/T 500 ID-document
 * system that is not resident-ID shaped is a WARNING (it may be a passport number).
 */
import type { Issue } from '../../errors.js';
import { identifierKind } from './identifier-kind.js';
import { issue, identifiersOf, stringField, type ResourceCheck } from './issue.js';
import { parseResidentId } from './resident-id.js';

/** HK / Macau / Taiwan residence-permit numbers sometimes arrive under a permit type. */
const PERMIT_SHAPED_RESIDENT_ID = /^8[123]0000\d{11}[\dXx]$/;

export const checkResidentIds: ResourceCheck = (resource, path) => {
  const issues: Issue[] = [];
  for (const { identifier, index } of identifiersOf(resource)) {
    const value = stringField(identifier, 'value');
    if (value === undefined) continue; // cardinality is the profile's business
    const kind = identifierKind(identifier);
    const looksLikePermitNumber =
      (kind === 'hk-macau-permit' || kind === 'taiwan-permit') && PERMIT_SHAPED_RESIDENT_ID.test(value.trim());
    if (kind !== 'resident-id' && kind !== 'id-document' && !looksLikePermitNumber) continue;
    const at = `${path}.identifier[${index}].value`;
    const info = parseResidentId(value);

    if (info.problem === 'format' || info.problem === 'legacy-15') {
      if (info.problem === 'legacy-15') {
        issues.push(issue('warning', 'value', 'cn-resident-id-legacy-15', [at],
          'Resident ID is a first-generation 15-digit number (no check character); an 18-character GB 11643 number is expected',
          '身份证号码为15位第一代号码（无校验码），应为18位（GB 11643）'));
      } else if (kind === 'id-document') {
        issues.push(issue('warning', 'value', 'cn-id-document-unrecognised', [at],
          'Identifier under the ID-document system (urn:oid:2.16.156.10011.1.3) has no type and is not a resident ID number; add identifier.type (e.g. passport)',
          '身份证件号码（urn:oid:2.16.156.10011.1.3）未注明证件类别且不是居民身份证号码，请填写 identifier.type（如护照）'));
      } else {
        issues.push(issue('error', 'value', 'cn-resident-id-format', [at],
          'Resident ID must be 18 characters: 17 digits and a check digit or X (GB 11643)',
          '居民身份证号码应为18位：17位数字加1位校验码（数字或X）（GB 11643）'));
      }
      continue;
    }
    if (info.problem === 'birth-date') {
      issues.push(issue('error', 'value', 'cn-resident-id-birth-date', [at],
        'Resident ID characters 7-14 are not a valid birth date (YYYYMMDD)',
        '居民身份证号码第7至14位不是有效的出生日期（YYYYMMDD）'));
      continue;
    }
    if (info.problem === 'checksum') {
      issues.push(issue('error', 'value', 'cn-resident-id-checksum', [at],
        `Resident ID check character is wrong (ISO 7064 MOD 11-2 gives '${info.expectedCheck}'): the number is mistyped`,
        `居民身份证号码校验码错误（按 ISO 7064 MOD 11-2 应为“${info.expectedCheck}”），号码可能录入有误`));
      continue;
    }
    if (info.lowercaseX) {
      issues.push(issue('warning', 'value', 'cn-resident-id-lowercase-x', [at],
        'Resident ID check character should be an upper-case X', '居民身份证号码校验码应为大写字母X'));
    }
    if (info.unknownAddress) {
      issues.push(issue('warning', 'value', 'cn-resident-id-address', [at],
        'Resident ID address code does not start with a GB/T 2260 province code (or 810000/820000/830000 for residence permits)',
        '居民身份证号码地址码不以 GB/T 2260 省级代码开头（港澳台居民居住证应为810000/820000/830000）'));
    }
    const birthDate = stringField(resource, 'birthDate');
    if (birthDate && info.birthDate && !info.birthDate.startsWith(birthDate.slice(0, 10))) {
      issues.push(issue('warning', 'business-rule', 'cn-resident-id-birthdate-mismatch', [at, `${path}.birthDate`],
        'Birth date in the resident ID differs from birthDate', '居民身份证号码中的出生日期与出生日期（birthDate）不一致'));
    }
    const gender = stringField(resource, 'gender');
    if ((gender === 'male' || gender === 'female') && info.sex && info.sex !== gender) {
      issues.push(issue('warning', 'business-rule', 'cn-resident-id-gender-mismatch', [at, `${path}.gender`],
        `Resident ID sequence number indicates ${info.sex}, gender is ${gender}`,
        `居民身份证号码顺序码表示性别为${info.sex === 'male' ? '男' : '女'}，与性别（gender）不一致`));
    }
  }
  return issues;
};
