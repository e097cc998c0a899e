-- Drives Neovim (0.7+) through what a user of the documented setup does, after init.lua (the
-- config block of docs/editors.md) has been loaded and notes.py opened:
--   1. DynamoGuard's diagnostics arrive, with the severity the settings ask for (so the settings
--      reached the server: on 0.7 through init_options, later through workspace/configuration);
--   2. DG101's quick fix (the 403 guard, or the owner check of the fetched item) is picked from
--      vim.lsp.buf.code_action() and applied,
--      the file is written and DG101 goes away;
--   3. "Show documentation for DG201" opens the rule's page in a split (the documented
--      dynamoGuard.showDocumentation handler), and :DynamoGuardScan (the documented user command)
--      reports a finding in a file that was never opened;
--   4. a settings change sent as workspace/didChangeConfiguration turns DG201 off;
--   5. a misspelled key in pyproject.toml is a diagnostic at the key, fixed by its quick fix.
-- Everything observed goes to the JSON file $DG_NVIM_RESULT; test/src/nvim/run.ts judges it and
-- the written file. Any error is recorded there too, and Neovim always quits.

local result = { steps = {} }
local out = assert(os.getenv('DG_NVIM_RESULT'), 'DG_NVIM_RESULT is not set')
local TIMEOUT = 30000
-- Titles vim.ui.select may pick from the code action menu (substring match, first listed wins).
local pick

local function save()
  local f = assert(io.open(out, 'w'))
  f:write(vim.fn.json_encode(result))
  f:close()
end

local function ours(buf)
  local list = {}
  for _, d in ipairs(vim.diagnostic.get(buf)) do
    if d.source == 'DynamoGuard' then
      local code = d.code or (d.user_data and d.user_data.lsp and d.user_data.lsp.code)
      table.insert(list, { code = code, severity = d.severity, lnum = d.lnum, col = d.col, message = d.message })
    end
  end
  table.sort(list, function(a, b) return tostring(a.code) < tostring(b.code) end)
  return list
end

local function has(list, code)
  for _, d in ipairs(list) do
    if d.code == code then return d end
  end
  return nil
end

local function client_named(name)
  for _, client in pairs(vim.lsp.get_active_clients()) do
    if client.name == name then return client end
  end
  return nil
end

local function wait_for(what, predicate)
  if not vim.wait(TIMEOUT, predicate, 50) then error('timed out waiting for ' .. what) end
end

local function run()
  local buf = vim.api.nvim_get_current_buf()
  result.nvim = vim.version()
  result.filetype = vim.bo[buf].filetype

  wait_for('the dynamo_guard client', function() return client_named('dynamo_guard') ~= nil end)
  local client = client_named('dynamo_guard')
  wait_for('DG101 and DG201 diagnostics', function()
    local list = ours(buf)
    return has(list, 'DG101') ~= nil and has(list, 'DG201') ~= nil
  end)
  result.steps.initial = ours(buf)

  -- The lightbulb path: code actions for the diagnostic under the cursor, one picked by title.
  local guard = has(ours(buf), 'DG101')
  vim.api.nvim_win_set_cursor(0, { guard.lnum + 1, guard.col })
  local offered = {}
  -- DG101's fix: a 403 guard, or for a read of an owned item the check of the fetched item's owner.
  pick = { 'Insert a 403 guard', "Check that the fetched item's owner" }
  vim.ui.select = function(items, opts, on_choice)
    local choice
    offered = {}
    local wanted = type(pick) == 'table' and pick or { pick }
    for _, item in ipairs(items) do
      table.insert(offered, opts.format_item and opts.format_item(item) or item[2].title)
    end
    for _, title in ipairs(wanted) do
      for i, item in ipairs(items) do
        if not choice and offered[i]:find(title, 1, true) then choice = item end
      end
    end
    -- Every menu shown, in order: DG101's, DG201's, then pyproject.toml's.
    result.steps.menus = result.steps.menus or {}
    table.insert(result.steps.menus, offered)
    on_choice(choice)
  end
  local before = vim.api.nvim_buf_get_changedtick(buf)
  vim.lsp.buf.code_action()
  wait_for('the quick fix to edit the buffer', function() return vim.api.nvim_buf_get_changedtick(buf) ~= before end)
  vim.cmd('write')
  wait_for('DG101 to go away after the fix', function() return has(ours(buf), 'DG101') == nil end)
  result.steps.fixed = ours(buf)

  -- "Show documentation for DG201" runs the documented dynamoGuard.showDocumentation handler.
  local doc = has(ours(buf), 'DG201')
  vim.api.nvim_win_set_cursor(0, { doc.lnum + 1, doc.col })
  pick = 'Show documentation for DG201'
  vim.lsp.buf.code_action()
  wait_for('the DG201 page in a split', function() return vim.api.nvim_buf_get_name(0):match('DG201%.md$') ~= nil end)
  result.steps.documentation = { file = vim.api.nvim_buf_get_name(0), windows = #vim.api.nvim_list_wins() }
  vim.cmd('close')

  -- :DynamoGuardScan (documented user command): findings of a file that was never opened.
  local messages = {}
  vim.notify = function(msg) table.insert(messages, msg) end
  vim.cmd('DynamoGuardScan')
  local function scanned()
    for _, d in ipairs(vim.diagnostic.get()) do
      if d.source == 'DynamoGuard' and d.code == 'DG101' and vim.api.nvim_buf_get_name(d.bufnr):match('other%.py$') then return true end
    end
    return false
  end
  wait_for('the scan summary and DG101 in other.py', function()
    return scanned() and #messages > 0
  end)
  result.steps.scan = messages

  -- A settings change while running: workspace/didChangeConfiguration with the nested settings
  -- (the server re-reads them through workspace/configuration where the client supports it).
  client.config.settings.dynamoGuard.severity = { DG201 = 'off' }
  client.notify('workspace/didChangeConfiguration', { settings = client.config.settings })
  wait_for('DG201 to be turned off by the new settings', function() return has(ours(buf), 'DG201') == nil end)
  result.steps.reconfigured = ours(buf)

  -- pyproject.toml (attached through the documented FileType toml): the misspelled key is a
  -- diagnostic at the key, and its quick fix corrects the spelling.
  vim.cmd('edit pyproject.toml')
  local toml = vim.api.nvim_get_current_buf()
  wait_for('the unknown-key diagnostic in pyproject.toml', function() return has(ours(toml), 'unknown-key') ~= nil end)
  local mistake = has(ours(toml), 'unknown-key')
  result.steps.config = { mistake }
  vim.api.nvim_win_set_cursor(0, { mistake.lnum + 1, mistake.col })
  pick = 'Change to "extend-ignore"'
  local tick = vim.api.nvim_buf_get_changedtick(toml)
  vim.lsp.buf.code_action()
  wait_for('the config quick fix to edit pyproject.toml', function() return vim.api.nvim_buf_get_changedtick(toml) ~= tick end)
  vim.cmd('write')
  wait_for('the config diagnostic to go away', function() return #ours(toml) == 0 end)
end

local ok, err = pcall(run)
if not ok then result.error = tostring(err) end
result.ok = ok
save()
vim.cmd('qall!')
