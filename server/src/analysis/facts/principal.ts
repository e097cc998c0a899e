import type { FileFacts, FunctionFacts, TableCall } from '../model/facts';
import { textOf } from '../model/module';

// Service-to-service handlers: an API Gateway route with IAM authorization is called by other
// services (or operators) signing with AWS credentials. Its only caller identity is an IAM
// principal (`requestContext.identity.userArn`/`caller`), never an end user, so there is no
// "another user's item" to reach: BOLA between end users does not apply. A handler that also
// reads an end-user identity (Cognito claims, a JWT authorizer, a session) keeps DG101.

const IAM_IDENTITY = /\[\s*["']identity["']\s*\]\s*(?:\[\s*["']|\.get\(\s*["'])(userArn|caller|user|accessKey|accountId)["']/;
/** Helpers that return the IAM caller (`iam_user_id(event)`, `get_caller_arn(event)`). */
const IAM_HELPER = /\b(\w*iam_(user|caller|principal)\w*|\w*caller_arn\w*|\w*user_arn\w*|\w*principal_arn\w*)\s*\(/i;
const END_USER = /\[\s*["'](authorizer|claims|cognitoIdentityId|cognitoAuthenticationProvider)["']\s*\]|cognito_user|get_jwt|jwt\.decode|current_user|session\[/;

export interface ServiceCaller {
  why: string;
}

/** The handler's caller is an IAM principal and no end user is in play. */
export function serviceCaller(facts: FileFacts, fnFacts: FunctionFacts): ServiceCaller | undefined {
  if (fnFacts.handler?.framework !== 'lambda') return undefined;
  const body = textOf(facts.text, fnFacts.fn.body);
  if (END_USER.test(body)) return undefined;
  const direct = IAM_IDENTITY.exec(body);
  if (direct) return { why: `the caller is an IAM principal (\`identity.${direct[1]}\`)` };
  const helper = IAM_HELPER.exec(body);
  if (helper) return { why: `the caller is an IAM principal (\`${helper[1]}()\`)` };
  // A helper of this file that reads the IAM identity.
  for (const f of facts.module.topFunctions.values()) {
    if (f === fnFacts.fn || !new RegExp(`\\b${f.name}\\s*\\(`).test(body)) continue;
    if (IAM_IDENTITY.test(textOf(facts.text, f.body))) return { why: `the caller is an IAM principal (\`${f.name}()\`)` };
  }
  return undefined;
}

// Caller-scoped credentials: the table is reached with credentials the authorizer minted for this
// caller (`boto3.resource("dynamodb", aws_session_token=event["requestContext"]["authorizer"][...])`),
// typically a role whose policy pins `dynamodb:LeadingKeys` to the caller's tenant. DynamoDB itself
// refuses another tenant's keys, so a request-chosen key crosses nothing.
const SCOPED_TOKEN = /aws_session_token\s*=\s*(?![^,)\n]*(environ|getenv))[^,)\n]*(token|authorizer|credentials)/i;
const FROM_AUTHORIZER = /\[\s*["']authorizer["']\s*\]/;

/** The call's table object is built with credentials taken from the caller's authorizer context. */
export function callerScopedCredentials(facts: FileFacts, call: TableCall): boolean {
  const file = call.via?.[call.via.length - 1]?.path;
  const text = file ? facts.workspace?.factsAt?.(file)?.text : facts.text;
  return !!text && scopedTokenIn(text);
}

// Asked once per table call of every handler, of the same text: remember the last answer.
let lastText: string | undefined;
let lastScoped = false;
function scopedTokenIn(text: string): boolean {
  if (text !== lastText) {
    lastScoped = SCOPED_TOKEN.test(text) && FROM_AUTHORIZER.test(text);
    lastText = text;
  }
  return lastScoped;
}
