import type { IncomingMessage } from 'node:http';

/** What a handler receives: decoded path parameters, the query and the request. */
export interface RouteContext {
  params: Record<string, string>;
  query: URLSearchParams;
  request: IncomingMessage;
}

/** A handler's answer: status and a JSON body (undefined for 204). */
export interface RouteResult {
  status: number;
  body?: unknown;
}

export type Handler = (context: RouteContext) => Promise<RouteResult>;

interface Route {
  method: string;
  /** The pattern as written (`/users/:id`); also the metrics label. */
  pattern: string;
  regex: RegExp;
  names: string[];
  handler: Handler;
}

/** A minimal method + path router; `:name` segments match one path segment. */
export class Router {
  private readonly routes: Route[] = [];

  add(method: string, pattern: string, handler: Handler): this {
    const names: string[] = [];
    const source = pattern
      .split('/')
      .map((segment) => {
        if (!segment.startsWith(':')) return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
        names.push(segment.slice(1));
        return '([^/]+)';
      })
      .join('/');
    this.routes.push({ method, pattern, regex: new RegExp(`^${source}$`), names, handler });
    return this;
  }

  /** The matching route, `'method'` if the path exists with another method, or undefined. */
  match(
    method: string,
    path: string,
  ): { pattern: string; handler: Handler; params: Record<string, string> } | 'method' | undefined {
    let pathMatched = false;
    for (const route of this.routes) {
      const found = route.regex.exec(path);
      if (!found) continue;
      pathMatched = true;
      if (route.method !== method) continue;
      const params: Record<string, string> = {};
      route.names.forEach((name, index) => {
        params[name] = decodeURIComponent(found[index + 1]!);
      });
      return { pattern: route.pattern, handler: route.handler, params };
    }
    return pathMatched ? 'method' : undefined;
  }
}
