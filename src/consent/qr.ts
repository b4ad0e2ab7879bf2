/**
 * QR code of a consent link (SHL "Sharing User transmits a SMART Health Link": any standard QR
 * library; error correction level M recommended), as a data URL for pages and API answers.
 *
 * Invariant: the QR encodes exactly the link text it is given (the bare `shlink:/…` or the viewer
 * URL form) — nothing is added, so a scanner yields the same link the patient sees.
 */
import QRCode from 'qrcode';

/** PNG data URL (`data:image/png;base64,…`). */
export function linkQrPng(link: string, options: { width?: number } = {}): Promise<string> {
  return QRCode.toDataURL(link, { errorCorrectionLevel: 'M', margin: 2, width: options.width ?? 300 });
}

/** SVG data URL (`data:image/svg+xml;base64,…`), crisp at any size. */
export async function linkQrSvg(link: string): Promise<string> {
  const svg = await QRCode.toString(link, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
  return `data:image/svg+xml;base64,${Buffer.from(svg, 'utf8').toString('base64')}`;
}
