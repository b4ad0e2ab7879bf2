/**
 * Lenient pre-pass for ONE known defect of a public WS/T 500 generator, applied before the strict
 * parser: the broken attribute `code="DE06.00.193.00 displayName=" 出院情况"` (the closing quote
 * of `code` is missing, so `displayName` lands inside it and the rest is garbage). As written it is
 * not well-formed XML (XML 1.0 §3.1: an attribute name must follow whitespace, `"` cannot start
 * one), so a strict parser refuses the whole document for one label.
 *
 * Invariants: only this exact shape is rewritten, to `code="DExx.xx.xxx.xx" displayName="…"`,
 * and the rewrite can only match text that was not well-formed anyway (the value may contain no
 * `"`, `=`, `<` or `>`), so a well-formed document is never changed; line numbers are preserved
 * (no newline is added or removed) so the element can be located afterwards for the warning.
 */

const BROKEN = /code="(DE\d{2}\.\d{2}\.\d{3}\.\d{2}) displayName="\s*([^"<>=\r\n]*)"/g;

export interface Repair {
  /** 1-based line of the repaired attribute. */
  line: number;
  code: string;
  display: string;
}

export function repairKnownDefects(xml: string): { xml: string; repairs: Repair[] } {
  const repairs: Repair[] = [];
  if (!xml.includes(' displayName="')) return { xml, repairs };
  const fixed = xml.replace(BROKEN, (_m, code: string, display: string, offset: number) => {
    let line = 1;
    for (let i = xml.indexOf('\n'); i !== -1 && i < offset; i = xml.indexOf('\n', i + 1)) line++;
    const d = display.trim();
    repairs.push({ line, code, display: d });
    return `code="${code}" displayName="${d}"`;
  });
  return { xml: fixed, repairs };
}
