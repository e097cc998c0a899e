import type { DynamoGuardSettings } from '../../protocol';
import type { PyDocument } from '../parse/document';
import type { FileFacts } from './facts';
import type { WorkspaceIndex } from './workspace';

export function computeFacts(doc: PyDocument, _settings: DynamoGuardSettings, _workspace?: WorkspaceIndex, _path?: string): FileFacts {
  return { doc };
}
