export const MAIN_HELP = `DynamoGuard: finds DynamoDB authorization and expression bugs in Python HTTP APIs.

Usage:
  dynamo-guard scan [PATH ...] [options]   analyse files and directories (default: .; - reads stdin)
  dynamo-guard iam [PATH ...] [--format json|text]
                                           least-privilege DynamoDB policy per deployed function
  dynamo-guard rules [--format text|json]  list the rules: code, name, default severity, summary
  dynamo-guard explain CODE                print a rule's documentation (e.g. DG101)
  dynamo-guard --version                   print the version
  dynamo-guard --help                      print this help

Run "dynamo-guard scan --help" for the scan options.
`;

export const SCAN_HELP = `Usage: dynamo-guard scan [PATH ...] [options]

Analyse Python files. PATH may be files or directories (default: the current directory).
Directories are walked for *.py files, honouring .gitignore files, the "exclude" globs of
[tool.dynamo-guard] in pyproject.toml, and skipping .venv, venv, node_modules, .git,
__pycache__, site-packages, .tox, .mypy_cache and .ruff_cache. A file named explicitly is
always analysed.

Options:
  -f, --format FORMAT           text, json, sarif, or github (GitHub Actions annotations);
                                default: text
  -o, --output FILE             write the report to FILE instead of stdout
      --select CODES            only these rules (comma-separated codes or prefixes such as
                                DG1, or ALL); replaces the configured "select"
      --ignore CODES            also skip these rules (added to the configured "ignore")
      --config FILE             use this pyproject.toml for every file, instead of the nearest
                                pyproject.toml with a [tool.dynamo-guard] table
      --exit-zero               exit 0 even when there are findings
      --no-progress             no progress bar (it is only shown for text output on a
                                terminal, and never when CI is set)
  -j, --jobs N                  analyse in N processes (default: 1 under 200 files,
                                else up to 4); the report is identical whatever N is
      --fix                     apply every safe fix in place (several passes, as the editor's
                                "Fix all"), then report what is left
      --unsafe-fixes            also apply the fixes not marked safe (implies --fix unless
                                --diff is given)
      --diff                    print the fixes as a unified diff instead of writing them;
                                exit 1 when there is one, else 0
      --stdin-filename NAME     with PATH "-": the name of the source read from stdin (picks
                                its pyproject.toml and project); with --fix the fixed source
                                goes to stdout and the report to stderr
      --baseline FILE           report only findings absent from FILE (matched by rule, path
                                and a fingerprint of the code, not by line number)
      --write-baseline FILE     write every current finding to FILE (exit 0) for --baseline
      --no-cache                do not read or write the content-hash cache
      --cache-dir DIR           cache directory (default: .dynamo-guard-cache in the project root)
  -h, --help                    print this help

Exit status:
  0  no findings (or --exit-zero)
  1  findings
  2  usage or configuration error (bad option, unknown rule code, invalid pyproject.toml:
     each mistake is printed as file:line:col: message), or a file whose analysis failed
     (a bug, or over the time or memory budget)

Files that cannot be analysed (unreadable, binary, not UTF-8, over max-file-size-kb) are
reported as errors (stderr in text output, "errors" in json) and skipped; on their own they do
not change the exit status, so a stray binary file never fails a CI job.
`;

export const RULES_HELP = `Usage: dynamo-guard rules [--format text|json]

List every rule: code, name, default severity and summary (json also gives fixable and CWE ids).
`;

export const EXPLAIN_HELP = `Usage: dynamo-guard explain CODE

Print the documentation of one rule (e.g. dynamo-guard explain DG101).
`;
