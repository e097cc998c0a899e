// Python samples shared by several test files.

/** app/security.py of a FastAPI service: a JWT-decoding dependency that names the caller. */
export const JWT_AUTH = [
  'import jwt',
  'from fastapi import Header, HTTPException',
  '',
  'def who_is_calling(authorization: str = Header(...)) -> dict:',
  '    try:',
  '        return jwt.decode(authorization.split()[1], "k", algorithms=["HS256"])',
  '    except Exception:',
  '        raise HTTPException(status_code=401)',
  '',
].join('\n');

/** JWT_AUTH plus an ownership check the routes call with the caller. */
export const JWT_AUTH_WITH_OWNER_CHECK = [
  JWT_AUTH,
  'def must_own(resource_owner: str, caller: dict) -> None:',
  '    if resource_owner != caller["sub"]:',
  '        raise HTTPException(status_code=403)',
  '',
].join('\n');
