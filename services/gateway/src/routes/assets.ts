import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { idSchema } from '@pixsim/contracts';
import { principalOf } from '../auth/bearer-auth.js';
import { canSee, ownerFilter } from '../auth/visibility.js';
import { NotFoundError } from '../http/errors.js';
import { listPage, pageQueryShape } from '../http/pagination.js';
import { doc, idParams } from '../http/openapi.js';
import { assetResponse, pageOf } from '../http/response-schemas.js';
import { parseInput } from '../http/validate.js';
import { assetDto } from '../read-model/dto.js';
import type { AssetStore } from '../store/ports.js';

const listQuerySchema = z.object(pageQueryShape);

export function registerAssetRoutes(app: FastifyInstance, deps: { assets: AssetStore }): void {
  app.get(
    '/assets',
    {
      schema: doc({
        tags: ['assets'],
        summary: 'list assets, newest first',
        querystring: listQuerySchema,
        response: pageOf(assetResponse),
      }),
    },
    async (request) => {
      const q = parseInput(listQuerySchema, request.query);
      const userId = ownerFilter(principalOf(request));
      return listPage(
        q,
        (range) => deps.assets.list({ userId, ...range }),
        (r) => assetDto(r),
      );
    },
  );

  app.get<{ Params: { id: string } }>(
    '/assets/:id',
    { schema: doc({ tags: ['assets'], summary: 'one asset', params: idParams, response: assetResponse }) },
    async (request) => {
      const { id } = request.params;
      const asset = idSchema.safeParse(id).success ? await deps.assets.get(id) : null;
      if (!asset || !canSee(principalOf(request), asset.user_id)) throw new NotFoundError('asset', id);
      return assetDto(asset);
    },
  );
}
