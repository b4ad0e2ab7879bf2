/**
 * The PIPL art. 39 notice shown to the patient before the separate consent to a transfer abroad,
 * in zh-CN and en, generated from the grant. Also used by the web pages (same text, same order).
 *
 * Invariants: the notice always names, in this order, what art. 39 requires — the overseas
 * recipient's name and contact, the purpose, the processing method, the categories of data — and
 * how to exercise rights against the recipient (arts. 44–47) and to withdraw (art. 15); art. 30
 * requires telling why sensitive data is needed and the effect on the person, so that is stated
 * too. Pure: same grant, same language → same text.
 */
import type { GrantRequest } from './types.js';
import type { NoticeLanguage, PurposeKind, SensitiveCategory } from './vocab.js';

export interface NoticeContext {
  /** The exporting hospital (the personal-information handler in China). */
  hospitalName: string;
}

const PURPOSE_TEXT: Record<PurposeKind, Record<NoticeLanguage, string>> = {
  'treatment-continuity': { 'zh-CN': '延续诊疗(境外就医时供接诊医生了解病情)', en: 'continuity of your treatment by a provider abroad' },
  'second-opinion': { 'zh-CN': '境外第二诊疗意见', en: 'a second medical opinion abroad' },
  'insurance-claim': { 'zh-CN': '境外保险理赔', en: 'an insurance claim with an insurer abroad' },
  emergency: { 'zh-CN': '紧急救治', en: 'emergency treatment' },
};

const METHOD_TEXT: Record<GrantRequest['processingMethod'], Record<NoticeLanguage, string>> = {
  'view-only': { 'zh-CN': '仅在线查看,不得下载或保存', en: 'view online only; no download or storage' },
  'may-store': { 'zh-CN': '可查看并保存至接收方的病历系统', en: 'view and store in the recipient’s medical record system' },
};

const SENSITIVE_TEXT: Record<SensitiveCategory, Record<NoticeLanguage, string>> = {
  genomic: { 'zh-CN': '基因(人类遗传资源)信息', en: 'genomic (human genetic resources) data' },
  'resident-id': { 'zh-CN': '居民身份证号码', en: 'resident ID card number' },
  ethnicity: { 'zh-CN': '民族', en: 'ethnicity' },
};

/** Section names for codes of the CN discharge summary and IPS (DOMAIN.md); others print as code. */
const SECTION_TEXT: Record<string, Record<NoticeLanguage, string>> = {
  '11450-4': { 'zh-CN': '主要健康问题', en: 'problem list' },
  '46241-6': { 'zh-CN': '入院诊断', en: 'admission diagnoses' },
  '11535-2': { 'zh-CN': '出院诊断', en: 'discharge diagnoses' },
  '47519-4': { 'zh-CN': '手术操作', en: 'procedures' },
  '18776-5': { 'zh-CN': '治疗计划', en: 'plan of treatment' },
  '8648-8': { 'zh-CN': '住院过程', en: 'hospital course' },
  '46209-3': { 'zh-CN': '医嘱', en: 'orders' },
  '30954-2': { 'zh-CN': '实验室检查', en: 'laboratory results' },
  '48765-2': { 'zh-CN': '过敏及不良反应', en: 'allergies and adverse reactions' },
  '10160-0': { 'zh-CN': '用药史', en: 'medications' },
};

function sectionName(code: string, lang: NoticeLanguage): string {
  return SECTION_TEXT[code]?.[lang] ?? `LOINC ${code}`;
}

function day(iso: string): string {
  return iso.slice(0, 10);
}

function categories(grant: GrantRequest, lang: NoticeLanguage): string {
  const zh = lang === 'zh-CN';
  const parts: string[] = [];
  if (grant.documents.length) {
    parts.push(zh ? `指定的 ${grant.documents.length} 份病历文档(${grant.documents.join('、')})` : `${grant.documents.length} selected record document(s) (${grant.documents.join(', ')})`);
  }
  if (grant.documentTypes.length) {
    const names = grant.documentTypes.map((c) => c.display ?? c.code ?? '').join(zh ? '、' : ', ');
    parts.push(zh ? `以下类型的文档:${names}` : `documents of type: ${names}`);
  }
  let text = parts.join(zh ? ';' : '; ');
  if (grant.dataPeriod?.start || grant.dataPeriod?.end) {
    const from = grant.dataPeriod.start ? day(grant.dataPeriod.start) : zh ? '不限' : 'any date';
    const to = grant.dataPeriod.end ? day(grant.dataPeriod.end) : zh ? '不限' : 'any date';
    text += zh ? `;就诊日期 ${from} 至 ${to}` : `; dated ${from} to ${to}`;
  }
  text += grant.sections.length
    ? zh
      ? `;仅限以下部分:${grant.sections.map((s) => sectionName(s, lang)).join('、')}`
      : `; only these sections: ${grant.sections.map((s) => sectionName(s, lang)).join(', ')}`
    : zh
      ? ';包括文档的全部内容(诊断、治疗经过、用药等,属敏感个人信息)'
      : '; all sections of these documents (diagnoses, course of treatment, medicines: sensitive personal information)';
  return text;
}

function sensitiveLine(grant: GrantRequest, lang: NoticeLanguage): string {
  const zh = lang === 'zh-CN';
  const all: SensitiveCategory[] = ['genomic', 'resident-id', 'ethnicity'];
  const allowed = all.filter((c) => grant.allowSensitive.includes(c));
  const excluded = all.filter((c) => !grant.allowSensitive.includes(c));
  const lines: string[] = [];
  if (excluded.length) {
    const names = excluded.map((c) => SENSITIVE_TEXT[c][lang]).join(zh ? '、' : ', ');
    lines.push(zh ? `不会提供:${names}。` : `Never provided: ${names}.`);
  }
  if (allowed.length) {
    const names = allowed.map((c) => SENSITIVE_TEXT[c][lang]).join(zh ? '、' : ', ');
    lines.push(zh ? `经您明确同意,将同时提供:${names}。` : `With your explicit consent, also provided: ${names}.`);
  }
  return lines.join(' ');
}

/** How the patient exercises rights (PIPL arts. 15, 44–47, 50) — stored in the Consent as well. */
export function rightsText(grant: GrantRequest, lang: NoticeLanguage): string {
  const r = grant.recipient;
  if (lang === 'zh-CN') {
    return (
      `您可以通过本次授权生成的个人管理链接随时查看每一次访问记录并撤回同意;撤回立即生效,但不影响撤回前已进行的处理(《个人信息保护法》第十五条)。` +
      `您可以联系境外接收方 ${r.name}(${r.contact.text})行使查阅、复制、更正、删除等权利(第四十四条至第四十七条),` +
      `也可以联系本院要求协助。`
    );
  }
  return (
    `With the private management link created for this consent you can see every access and withdraw this consent at any time; ` +
    `withdrawal takes effect at once but does not affect processing done before it (PIPL art. 15). ` +
    `You can contact the recipient abroad, ${r.name} (${r.contact.text}), to access, copy, correct or delete your data (PIPL arts. 44–47), ` +
    `or ask the hospital to help you.`
  );
}

/** The full art. 39 notice in one language. */
export function noticeText(grant: GrantRequest, lang: NoticeLanguage, ctx: NoticeContext): string {
  const r = grant.recipient;
  const purpose = PURPOSE_TEXT[grant.purpose.kind][lang];
  const method = METHOD_TEXT[grant.processingMethod][lang];
  const until = day(grant.end);
  if (lang === 'zh-CN') {
    return [
      `个人信息出境告知(《个人信息保护法》第三十九条)`,
      `${ctx.hospitalName}将向境外接收方提供您的个人医疗健康信息。`,
      `境外接收方:${r.name};联系方式:${r.contact.text}。`,
      `目的:${purpose}。`,
      `处理方式:${method}。`,
      `信息种类:${categories(grant, lang)}。${sensitiveLine(grant, lang)}`,
      `有效期至:${until}。`,
      `医疗健康信息属于敏感个人信息,提供给境外接收方是为了上述目的所必需;信息离开中国境内后受接收方所在地法律约束。`,
      `行使权利:${rightsText(grant, lang)}`,
      `本同意为单独同意,您可以拒绝,拒绝不影响您在本院的诊疗。`,
    ].join('\n');
  }
  return [
    `Notice of a transfer of personal information abroad (PIPL art. 39)`,
    `${ctx.hospitalName} will provide your personal health information to a recipient outside China.`,
    `Recipient: ${r.name}; contact: ${r.contact.text}.`,
    `Purpose: ${purpose}.`,
    `Processing method: ${method}.`,
    `Categories of data: ${categories(grant, lang)}. ${sensitiveLine(grant, lang)}`.trimEnd(),
    `Valid until: ${until}.`,
    `Health information is sensitive personal information; providing it is necessary for the purpose above. Once abroad it is subject to the law where the recipient is.`,
    `Your rights: ${rightsText(grant, lang)}`,
    `This is a separate consent. You may refuse; refusing does not affect your care at the hospital.`,
  ].join('\n');
}
