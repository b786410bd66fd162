// The message's HTML as served into the sandboxed frame. The CSP and the sandbox do most of the work;
// this closes the two gaps they leave, both measured in Chromium:
// - it opens a connection to the address of a nested frame even when the frame's CSP forbids loading
//   it (a TCP connection, no request): enough to tell a tracker that the message was opened;
// - a sandbox lets a click on a link navigate the frame itself to a remote page.
// Frame elements are renamed to unknown elements, so the parser creates no frame at all, and link
// targets are renamed to inert data attributes. The raw bytes and the text body keep every URL.

/** Tag names whose element loads a document; `<name` is matched wherever it occurs (HTML tag names allow no gap). */
const FRAME_TAGS = /<(\/?)(iframe|frameset|frame|fencedframe|portal)(?=[\s/>]|$)/gi;

/** `href=` and `xlink:href=` after a separator, i.e. as an attribute (a rare match in text only changes text). */
const LINK_ATTRS = /([\s"'/])((?:xlink:)?href)(\s*=)/gi;

export function prepareMessageHtml(html: string): string {
  return html.replace(FRAME_TAGS, '<$1blocked-$2').replace(LINK_ATTRS, '$1data-blocked-$2$3');
}
