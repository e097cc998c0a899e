import * as path from 'path';
import { REPO_ROOT } from './cliTree';

/** The fixture services, one folder per infrastructure format. */
export const INFRA_DIR = path.join(REPO_ROOT, 'test', 'fixtures', 'infra');
