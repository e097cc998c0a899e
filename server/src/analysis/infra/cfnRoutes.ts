// Routes of plain CloudFormation APIs: REST (`AWS::ApiGateway::Method` on a tree of
// `AWS::ApiGateway::Resource`s, its Lambda proxy integration's Uri naming the function) and HTTP
// (`AWS::ApiGatewayV2::Route` whose Target is an `AWS::ApiGatewayV2::Integration` of a function),
// each with its authorizer (`AuthorizationType` other than NONE, `AuthorizerId`).

import type { InfraLoc, InfraRoute } from './model';
import { cfnText, get, intrinsic, str, type Val } from './yamlTree';

type Resource = { key: string; value: Val };
type LocOf = (v: { start: number; end: number }) => InfraLoc;

/** Path segments above an API Gateway resource, bounded (a cycle or a deep tree stops the walk). */
const MAX_PATH_DEPTH = 32;

/** Logical id an intrinsic (`!Ref X`, `!GetAtt X.Attr`) or a `${X}`/`${X.Arn}` text names. */
function refId(v: Val | undefined): string | undefined {
  const fn = intrinsic(v);
  if (fn?.fn === 'Ref') return str(fn.arg);
  if (fn?.fn === 'GetAtt') return (cfnText(v) ?? '').replace(/^\$\{([^.}]+).*$/, '$1') || undefined;
  return undefined;
}

/** Every `${Id}` / `${Id.Attr}` a text mentions. */
function mentioned(text: string | undefined): string[] {
  return [...(text ?? '').matchAll(/\$\{([A-Za-z0-9]+)(?:\.[A-Za-z]+)?\}/g)].map((m) => m[1]!).slice(0, 16);
}

/** The authorizer of a method or route: undefined when it is open (`NONE` or no type). */
function authorizerOf(props: Val | undefined): string | undefined {
  const type = str(get(props, 'AuthorizationType'));
  if (!type || type.toUpperCase() === 'NONE') return undefined;
  return refId(get(props, 'AuthorizerId')) ?? str(get(props, 'AuthorizerId')) ?? type;
}

/** Routes per function logical id, read from the template's API Gateway resources. */
export function readCfnRoutes(resources: readonly Resource[], functionIds: ReadonlySet<string>, loc: LocOf): Map<string, InfraRoute[]> {
  const out = new Map<string, InfraRoute[]>();
  const add = (fn: string, route: InfraRoute) => out.set(fn, [...(out.get(fn) ?? []), route]);
  const byId = new Map(resources.map((r) => [r.key, r.value]));
  const typeOf = (v: Val | undefined) => str(get(v, 'Type'));
  const functionIn = (text: string | undefined) => mentioned(text).find((id) => functionIds.has(id));

  const pathOf = (resourceId: string | undefined): string => {
    const parts: string[] = [];
    let id = resourceId;
    for (let i = 0; id && i < MAX_PATH_DEPTH; i++) {
      const r = byId.get(id);
      if (typeOf(r) !== 'AWS::ApiGateway::Resource') break;
      const props = get(r, 'Properties');
      parts.unshift(str(get(props, 'PathPart')) ?? '?');
      id = refId(get(props, 'ParentId'));
    }
    return `/${parts.join('/')}`;
  };

  for (const r of resources) {
    const type = typeOf(r.value);
    const props = get(r.value, 'Properties');
    if (type === 'AWS::ApiGateway::Method') {
      const fn = functionIn(cfnText(get(get(props, 'Integration'), 'Uri')));
      if (!fn) continue;
      const authorizer = authorizerOf(props);
      const method = (str(get(props, 'HttpMethod')) ?? 'ANY').toUpperCase();
      add(fn, { method, path: pathOf(refId(get(props, 'ResourceId'))), ...(authorizer ? { authorizer } : {}), loc: loc(r.value) });
    } else if (type === 'AWS::ApiGatewayV2::Route') {
      const integration = mentioned(cfnText(get(props, 'Target'))).find((id) => typeOf(byId.get(id)) === 'AWS::ApiGatewayV2::Integration');
      const uri = integration ? get(get(byId.get(integration), 'Properties'), 'IntegrationUri') : undefined;
      const fn = refId(uri) && functionIds.has(refId(uri)!) ? refId(uri) : functionIn(cfnText(uri));
      if (!fn) continue;
      const key = str(get(props, 'RouteKey')) ?? '$default';
      const m = /^(\S+)\s+(\S+)$/.exec(key.trim());
      const authorizer = authorizerOf(props);
      add(fn, { method: (m?.[1] ?? 'ANY').toUpperCase(), path: m?.[2] ?? key, ...(authorizer ? { authorizer } : {}), loc: loc(r.value) });
    }
  }
  return out;
}
