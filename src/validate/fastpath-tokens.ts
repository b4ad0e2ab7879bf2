/**
 * The tokenizer of the FHIRPath fast path (fastpath.ts): identifiers, string and integer/decimal
 * literals, `$`/`%` variables and the operators the subset parses (http://hl7.org/fhirpath/N1 §3).
 *
 * Invariants: answers undefined — never a wrong token list — for anything it does not read
 * exactly (escapes in strings, an unterminated string, unknown punctuation such as `-`, `*`,
 * `[`), so such expressions go to fhirpath.js.
 */
export type Tok = { k: 'id' | 'str' | 'num' | 'op' | 'var'; v: string };

export function tokenize(s: string): Tok[] | undefined {
  const out: Tok[] = [];
  let i = 0;
  while (i < s.length) {
    const c = s[i]!;
    if (/\s/.test(c)) {
      i++;
    } else if (c === "'") {
      let j = i + 1;
      let v = '';
      while (j < s.length && s[j] !== "'") {
        if (s[j] === '\\') return undefined;
        v += s[j++];
      }
      if (j >= s.length) return undefined;
      out.push({ k: 'str', v });
      i = j + 1;
    } else if (/[0-9]/.test(c)) {
      const m = /^[0-9]+(\.[0-9]+)?/.exec(s.slice(i))!;
      out.push({ k: 'num', v: m[0] });
      i += m[0].length;
    } else if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(s.slice(i))!;
      out.push({ k: 'id', v: m[0] });
      i += m[0].length;
    } else if (c === '$' || c === '%') {
      const m = /^[$%][A-Za-z]+/.exec(s.slice(i));
      if (!m) return undefined;
      out.push({ k: 'var', v: m[0] });
      i += m[0].length;
    } else {
      const two = s.slice(i, i + 2);
      if (two === '!=' || two === '<=' || two === '>=') {
        out.push({ k: 'op', v: two });
        i += 2;
      } else if ('.()=<>|,+'.includes(c)) {
        out.push({ k: 'op', v: c });
        i++;
      } else return undefined;
    }
  }
  return out;
}
