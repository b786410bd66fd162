// Chain of custody on the review server: a message's evidence bundle (the same zip as
// `leaktriage export --bundle`) and an import run's manifest (as `export --manifest`).
import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { getBundleEvidence } from '../../store/bundle-repo.ts';
import { getRunManifest, iterateManifestHashes } from '../../store/manifest-repo.ts';
import { bundleFileName, writeBundle } from '../../export/bundle.ts';
import { encodeManifest } from '../../export/write-manifest.ts';
import { transcribeVerification } from '../../verify/transcribe-verification.ts';
import type { AppContext } from '../app-context.ts';
import { contentDisposition } from '../download-name.ts';
import { notFound } from '../errors.ts';
import { DOWNLOAD_CSP } from '../security.ts';
import { SHA256_PARAMS, typedRoutes } from '../typed-routes.ts';

const runParams = { type: 'object', properties: { run: { type: 'integer', minimum: 1 } }, required: ['run'] } as const;

export function registerEvidenceRoutes(untyped: FastifyInstance, ctx: AppContext): void {
  const app = typedRoutes(untyped);
  app.get('/messages/:sha256/bundle.zip', { schema: { params: SHA256_PARAMS } }, async (req, reply) => {
    const evidence = getBundleEvidence(ctx.db, req.params.sha256);
    if (!evidence) throw notFound(`message ${req.params.sha256}`);
    const transcript = await transcribeVerification(evidence.sha256, evidence.raw, evidence.keys, evidence.asOf);
    return reply
      .type('application/zip')
      .header('content-disposition', contentDisposition(bundleFileName(evidence.sha256)))
      .header('content-security-policy', DOWNLOAD_CSP)
      .send(await writeBundle(evidence, transcript));
  });

  app.get('/-/imports/:run/manifest.json', { schema: { params: runParams } }, (req, reply) => {
    const manifest = getRunManifest(ctx.db, req.params.run);
    if (!manifest) throw notFound(`import run ${req.params.run}`);
    return reply
      .type('application/json; charset=utf-8')
      .header('content-disposition', contentDisposition(`leaktriage-run-${manifest.runId}-manifest.json`))
      .send(Readable.from(encodeManifest(manifest, iterateManifestHashes(ctx.db, manifest.runId))));
  });
}
