/**
 * Who may talk to the local API: loopback Host names only (DNS rebinding), browser origins only
 * from the configured list (CORS and cross-site forms), a bearer token when bound beyond loopback.
 * A browser says where a request comes from in Sec-Fetch-Site even when it sends no Origin (an
 * <img> or a link): a request from another site that would change state is refused unless its
 * Origin is configured. curl and other programs send no Sec-Fetch-Site and are not affected.
 */
import type { FastifyInstance } from 'fastify';
import { timingSafeEqual } from 'node:crypto';
import type { ServerConfig } from '../config';
import { HttpError } from './errors';

export const LOOPBACK_HOSTS: ReadonlySet<string> = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);
/** methods that never change state here (GET routes only read: see serving's GET /prediction) */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export function isLoopbackAddress(host: string): boolean {
  return host === 'localhost' || host === '::1' || host.startsWith('127.');
}

/** the name in a Host header, lowercased, without its port */
export function hostName(hostHeader: string): string {
  // a name or a bracketed IPv6 address, then at most a port: anything else is kept whole, and so
  // matches no host served (`[::1].evil.com` was read as `[::1]`)
  const m = /^(\[[0-9A-Fa-f:.]+\]|[^:[\]]*)(?::\d*)?$/.exec(hostHeader);
  return (m ? m[1] : hostHeader).toLowerCase();
}

export function installSecurity(app: FastifyInstance, cfg: ServerConfig): void {
  const allowedHosts = new Set(LOOPBACK_HOSTS);
  const exposed = !isLoopbackAddress(cfg.host);
  if (exposed && cfg.host !== '0.0.0.0' && cfg.host !== '::') allowedHosts.add(cfg.host.toLowerCase());
  const origins = new Set(cfg.corsOrigins);
  const token = cfg.token ? Buffer.from(cfg.token) : undefined;

  // a callback hook (an async one costs every request a promise); a throw answers with the error
  app.addHook('onRequest', (req, reply, done) => {
    const host = hostName(String(req.headers.host ?? ''));
    if (!exposed && !allowedHosts.has(host)) throw new HttpError(421, 'misdirected_request', `Host "${host}" is not served here: use localhost or 127.0.0.1`);
    const origin = req.headers.origin;
    if (origin) {
      const self = `http://${req.headers.host}`;
      if (origin !== self && !origins.has(origin))
        throw new HttpError(403, 'origin_not_allowed', `origin ${origin} is not allowed; configure server.corsOrigins`);
      if (origin !== self) {
        reply.header('Access-Control-Allow-Origin', origin);
        reply.header('Vary', 'Origin');
        if (req.method === 'OPTIONS') {
          reply.header('Access-Control-Allow-Methods', 'GET,POST,DELETE,OPTIONS');
          reply.header('Access-Control-Allow-Headers', 'Content-Type, Authorization');
          reply.header('Access-Control-Max-Age', '600');
          reply.status(204).send();
          return; // answered: the request goes no further
        }
      }
    }
    const site = req.headers['sec-fetch-site'];
    if ((site === 'cross-site' || site === 'same-site') && !SAFE_METHODS.has(req.method) && !(origin && origins.has(origin)))
      throw new HttpError(
        403,
        'cross_site_refused',
        `a ${site} ${req.method} from ${origin ? `origin ${origin}` : 'a page that sent no Origin'} is refused: only the console and the origins in server.corsOrigins may change state`,
      );
    if (exposed) {
      if (!token) throw new HttpError(503, 'token_missing', 'the server listens beyond loopback but has no token configured');
      // the scheme's name in any case (RFC 7235: `bearer` was refused), the token compared in constant time
      const got = Buffer.from(/^bearer +(.*)$/i.exec(String(req.headers.authorization ?? ''))?.[1] ?? '');
      if (got.length !== token.length || !timingSafeEqual(got, token))
        throw new HttpError(401, 'unauthorized', 'send Authorization: Bearer <token> (shown in the console, stored in the data dir)');
    }
    done();
  });
}
