// Mailing lists and ARC explain, they do not accuse. A list appends a footer, tags the subject and
// often re-signs with its own domain; a forwarder or list that seals an ARC set records what it saw
// on arrival. Each of these explains a broken or missing author signature without proving the
// message: the findings here are context that sets those findings aside, never a proof.
import type { CheckInput, CodeDoc, Finding, MessageCheck } from '../model.ts';
import { listIdDomain, organisationalDomain, sameOrganisation } from '../common/org-domain.ts';
import { readAuthResults, resultDomain } from './results-header.ts';

const ID = 'list-arc';

const codes: Record<string, CodeDoc> = {
  [`${ID}/author-text-verifies`]: {
    severity: 'info',
    meaning:
      "The message went through a mailing list that changed it; with the list's usual additions undone (a footer, a trailing MIME part, the subject tag) the author's signature verifies again over the body and the signed headers: changed in transit by the list, the author's text verifies.",
  },
  [`${ID}/list-footer-after-limit`]: {
    severity: 'info',
    meaning:
      "On list mail, the text after the part a signature's l= covers is the list's footer (it names the list's own address or web page, from its List-* headers): the list appended it, which l= allows, so it is not text added by someone else.",
  },
  [`${ID}/list-signed`]: {
    severity: 'info',
    meaning:
      "The message carries mailing-list headers and a signature of the list's own domain (the List-Id's organisation) that verifies: the list vouches for what it distributed, so a broken or missing author signature is the list's doing, not a later edit.",
  },
  [`${ID}/arc-vouches-author`]: {
    severity: 'info',
    meaning:
      "A valid ARC chain's first ARC-Authentication-Results (written by the first intermediary) reports a DKIM pass for the From domain, or a logged-in submission (auth=pass): the author's mail was good when it entered the chain, and the intermediaries changed it since.",
  },
};

/** Signature findings a list's changes cause. */
const LIST_BREAKS = ['dkim/body-hash-mismatch', 'dkim/bad-signature'];

function listFindings(input: CheckInput): Finding[] {
  const { parsed, verification } = input;
  const out: Finding[] = [];
  for (const u of verification.listUndo ?? []) {
    if (u.headerSignature !== 'pass') continue;
    const sig = verification.signatures[u.signature];
    if (!sig) continue;
    if (u.kind === 'footer-after-limit') {
      out.push({
        check: ID,
        code: `${ID}/list-footer-after-limit`,
        severity: 'info',
        signature: u.signature,
        detail: `The text after the part the signature of ${sig.domain} covers (l=${sig.bodyLength}) is the footer of the mailing list${parsed.listId ? ` ${parsed.listId}` : ''}, naming the list's own address: the list added it, which is what l= allows.`,
        evidence: { list: parsed.listId, footer: u.removed, signer: sig.domain },
        explains: ['dkim/unsigned-content'],
      });
      continue;
    }
    out.push({
      check: ID,
      code: `${ID}/author-text-verifies`,
      severity: 'info',
      signature: u.signature,
      detail: `Changed in transit by the mailing list${parsed.listId ? ` ${parsed.listId}` : ''}: with ${u.undone.join(' and ')} undone, the signature of ${sig.domain} (selector ${sig.selector}) verifies again, so the author's text verifies.`,
      evidence: { list: parsed.listId, undone: u.undone, removed: u.removed, signer: sig.domain },
      explains: LIST_BREAKS,
    });
  }
  const list = listIdDomain(input.parsed.listId);
  const fromDomain = parsed.from[0]?.domain ?? '';
  const listSig =
    list === null ? undefined : verification.signatures.find((s) => s.result === 'pass' && organisationalDomain(s.domain) === list);
  if (listSig && !sameOrganisation(listSig.domain, fromDomain)) {
    out.push({
      check: ID,
      code: `${ID}/list-signed`,
      severity: 'info',
      detail: `The mailing list ${parsed.listId} signed what it distributed (its signature of ${listSig.domain} verifies), so the author's missing or broken signature is the list's doing.`,
      evidence: { list: parsed.listId, listSigner: listSig.domain, selector: listSig.selector },
      explains: [...LIST_BREAKS, 'dkim/missing-signature'],
    });
  }
  return out;
}

function arcFindings(input: CheckInput): Finding[] {
  const { parsed, verification } = input;
  if (verification.arc.result !== 'pass') return [];
  const fromDomain = parsed.from[0]?.domain ?? '';
  const first = parsed.headers
    .filter((h) => h.key === 'arc-authentication-results')
    .map(readAuthResults)
    .find((r) => r.instance === 1);
  if (!first || !fromDomain) return [];
  const dkimPass = first.results.find(
    (r) => r.method === 'dkim' && r.result === 'pass' && sameOrganisation(resultDomain(r.props) ?? '', fromDomain),
  );
  const authPass = first.results.find((r) => r.method === 'auth' && r.result === 'pass');
  const vouch = dkimPass ?? authPass;
  if (!vouch) return [];
  const seal = verification.arc.seals.find((s) => s.instance === 1);
  // The broken signature is explained only if the newest seal is the receiving site's own (the top
  // hop's): a set added on top by whoever edited the message would otherwise launder the edit.
  const newest = [...verification.arc.seals].sort((a, b) => b.instance - a.instance)[0];
  const topBy = parsed.received[0]?.by ?? '';
  const sealedOnReceipt = newest !== undefined && topBy !== '' && sameOrganisation(newest.domain, topBy);
  const explains = ['dkim/missing-signature', 'auth-results/contradicts-dkim', ...(sealedOnReceipt || parsed.listId ? LIST_BREAKS : [])];
  const what = dkimPass ? `dkim=pass for ${resultDomain(dkimPass.props)}` : `a logged-in submission (${authPass!.text})`;
  return [
    {
      check: ID,
      code: `${ID}/arc-vouches-author`,
      severity: 'info',
      detail: `The ARC chain validates, and its first set (by ${first.authservId ?? seal?.domain ?? 'the first intermediary'}) recorded ${what} on arrival: the author's mail was good when it entered the chain.`,
      evidence: { instance: 1, authservId: first.authservId, sealer: seal?.domain ?? null, recorded: vouch.text, sealedOnReceipt },
      explains,
    },
  ];
}

export const check: MessageCheck = {
  id: ID,
  title: 'Mailing lists and ARC chains that explain a broken signature',
  codes,
  run: (input) => [...listFindings(input), ...arcFindings(input)],
};
