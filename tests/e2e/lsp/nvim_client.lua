-- Drives `openopt lsp` with Neovim's built-in LSP client (0.7+), headless.
-- Run by nvim.test.js as
--   OPENOPT_LSP_PLAN=plan.json nvim --headless --clean -u NONE -c 'luafile nvim_client.lua'
-- The plan (JSON, written by the test) names the server command, the files
-- and the positions; this script does what a user's editor would do, records
-- what came back in plan.result (JSON) and quits. The assertions are in
-- nvim.test.js. Nothing here may block for longer than plan.timeoutMs per
-- answer, and the script always writes its result and quits, also on errors.

local plan_path = os.getenv('OPENOPT_LSP_PLAN')
local plan = vim.fn.json_decode(table.concat(vim.fn.readfile(plan_path), '\n'))
local T = plan.timeoutMs or 20000

local result = { steps = {}, published = {}, rpc_errors = {}, nvim_version = vim.version() }
local client_id = nil
local exit_info = nil

local function save()
  local ok, text = pcall(vim.fn.json_encode, result)
  if not ok then
    text = vim.fn.json_encode({ encode_error = tostring(text), dump = vim.inspect(result) })
  end
  vim.fn.writefile({ text }, plan.result)
end

local function fail(msg) error(msg, 0) end

--- Runs fn and records {name, ok, data|error}; returns ok, data.
local function step(name, fn)
  local ok, data = xpcall(fn, function(e)
    if type(e) == 'string' and e:find('\n') == nil and not e:find('%.lua:%d+:') then return e end
    return debug.traceback(tostring(e), 2)
  end)
  table.insert(result.steps, { name = name, ok = ok, data = ok and data or nil, error = (not ok) and tostring(data) or nil })
  save()
  return ok, data
end

local function client() return vim.lsp.get_client_by_id(client_id) end

--- vim.lsp.buf_request_sync with a clear error when the server is silent.
local function request(bufnr, method, params)
  local c = client()
  if not c then fail(method .. ': the client is gone (server exited?) ' .. vim.inspect(exit_info)) end
  if not c.supports_method(method) then
    fail(method .. ': the server does not advertise this method in its capabilities')
  end
  local called, responses, err = pcall(vim.lsp.buf_request_sync, bufnr, method, params, T)
  if exit_info then fail(method .. ': the server exited: ' .. vim.inspect(exit_info)) end
  if not called then error(responses, 0) end
  if not responses then
    fail(method .. ': no answer from the server within ' .. T .. ' ms (' .. tostring(err) .. ')')
  end
  local r = responses[client_id]
  if not r then fail(method .. ': no answer from our client in ' .. vim.inspect(responses)) end
  if r.error then fail(method .. ': the server answered with an error: ' .. vim.inspect(r.error)) end
  if r.result == nil then return vim.NIL end
  return r.result
end

--- Waits for a publishDiagnostics for uri that satisfies pred; returns it.
local function wait_published(uri, what, pred)
  local found = nil
  local ok = vim.wait(T, function()
    for i = #result.published, 1, -1 do
      local m = result.published[i]
      if m.uri == uri and pred(m) then found = m; return true end
    end
    return exit_info ~= nil
  end, 20)
  if not found then
    local uris = {}
    for _, m in ipairs(result.published) do table.insert(uris, m.uri .. ' (' .. #m.diagnostics .. ' diagnostics, version ' .. tostring(m.version) .. ')') end
    fail(what .. ': no such textDocument/publishDiagnostics for ' .. uri .. ' within ' .. T .. ' ms'
      .. (ok and exit_info and (' (the server exited: ' .. vim.inspect(exit_info) .. ')') or '')
      .. '; published: ' .. vim.inspect(uris))
  end
  return found
end

--- Opens path in a buffer attached to the client; returns bufnr, uri.
local function open(path, filetype)
  vim.cmd('edit ' .. vim.fn.fnameescape(path))
  local bufnr = vim.api.nvim_get_current_buf()
  vim.bo[bufnr].filetype = filetype
  if not vim.lsp.buf_attach_client(bufnr, client_id) then fail('buf_attach_client failed') end
  return bufnr, vim.uri_from_bufnr(bufnr)
end

--- Replaces an LSP range (UTF-16 characters) of the buffer, as typing would.
local function apply_edit(bufnr, range, text)
  local function col(pos)
    local line = vim.api.nvim_buf_get_lines(bufnr, pos.line, pos.line + 1, true)[1]
    return vim.str_byteindex(line, pos.character, true)
  end
  vim.api.nvim_buf_set_text(bufnr, range.start.line, col(range.start), range['end'].line, col(range['end']),
    vim.split(text, '\n', { plain = true }))
  return vim.api.nvim_buf_get_changedtick(bufnr)
end

local function nvim_diagnostics(bufnr)
  local out = {}
  for _, d in ipairs(vim.diagnostic.get(bufnr)) do
    table.insert(out, { lnum = d.lnum, col = d.col, end_lnum = d.end_lnum, end_col = d.end_col,
      severity = d.severity, message = d.message, source = d.source })
  end
  return out
end

local function main()
  local ok = step('start', function()
    client_id = vim.lsp.start_client({
      name = 'openopt',
      cmd = plan.cmd,
      root_dir = plan.root,
      handlers = {
        ['textDocument/publishDiagnostics'] = function(err, res, ctx, config)
          table.insert(result.published, res)
          return vim.lsp.handlers['textDocument/publishDiagnostics'](err, res, ctx, config)
        end,
      },
      on_error = function(code, err)
        table.insert(result.rpc_errors, { code = code, err = vim.inspect(err) })
      end,
      on_exit = function(code, signal) exit_info = { code = code, signal = signal } end,
    })
    if not client_id then fail('vim.lsp.start_client returned nil for ' .. vim.inspect(plan.cmd)) end
    local up = vim.wait(T, function()
      local c = client()
      return exit_info ~= nil or (c ~= nil and c.initialized == true)
    end, 20)
    if exit_info then fail('the server exited during initialize: ' .. vim.inspect(exit_info)) end
    if not up then fail('initialize: no answer from the server within ' .. T .. ' ms') end
    return { server_capabilities = client().server_capabilities }
  end)
  if not ok then return end

  -- 1. The IR file with an undefined SSA value: a diagnostic at the use.
  local bufnr, uri
  ok = step('diagnostic', function()
    bufnr, uri = open(plan.file, 'mlir')
    local m = wait_published(uri, 'diagnostics of the broken IR', function(m) return #m.diagnostics > 0 end)
    -- vim.diagnostic is filled by the default handler that ran just now.
    return { uri = uri, published = m, nvim = nvim_diagnostics(bufnr) }
  end)
  if not ok then return end

  -- 2. Fix it as a user would (nvim sends an incremental didChange); the
  --    diagnostics are cleared for the new version.
  step('fix', function()
    local version = apply_edit(bufnr, plan.fix.range, plan.fix.text)
    local m = wait_published(uri, 'diagnostics after the fix', function(m)
      return #m.diagnostics == 0 and (m.version == nil or m.version == version)
    end)
    return { version = version, published = m, nvim = nvim_diagnostics(bufnr),
      text = vim.api.nvim_buf_get_lines(bufnr, 0, -1, false) }
  end)

  -- 3. Hover on the op.
  step('hover', function()
    return request(bufnr, 'textDocument/hover', { textDocument = { uri = uri }, position = plan.hover })
  end)

  -- 4. Definition of SSA value uses.
  for _, d in ipairs(plan.definitions) do
    step('definition ' .. d.name, function()
      return request(bufnr, 'textDocument/definition', { textDocument = { uri = uri }, position = d.position })
    end)
  end

  -- 5. Completion: a line is inserted (then replaced) before `return`.
  for i, c in ipairs(plan.completions) do
    step('completion ' .. c.name, function()
      -- The first inserts the line, the later ones replace it.
      local last = (i == 1) and c.line or c.line + 1
      vim.api.nvim_buf_set_lines(bufnr, c.line, last, false, { c.text })
      local params = {
        textDocument = { uri = uri },
        position = { line = c.line, character = #c.text },
        context = c.context,
      }
      return request(bufnr, 'textDocument/completion', params)
    end)
  end

  -- 6. A second file, with a shape error that the verifier reports at the op.
  if plan.shapeFile then
    step('shape diagnostic', function()
      local b2, uri2 = open(plan.shapeFile, 'mlir')
      local m = wait_published(uri2, 'diagnostics of the IR with a shape error', function(m) return #m.diagnostics > 0 end)
      return { uri = uri2, published = m, nvim = nvim_diagnostics(b2) }
    end)
  end

  -- 7. Non-ASCII text: ranges both ways are in UTF-16 code units.
  if plan.unicode then
    local u = plan.unicode
    local b3, uri3
    ok = step('unicode diagnostic', function()
      b3, uri3 = open(u.file, 'mlir')
      local m = wait_published(uri3, 'diagnostics of the non-ASCII IR', function(m) return #m.diagnostics > 0 end)
      return { uri = uri3, published = m, nvim = nvim_diagnostics(b3) }
    end)
    if ok then
      step('unicode fix', function()
        local version = apply_edit(b3, u.fix.range, u.fix.text)
        local m = wait_published(uri3, 'diagnostics after the non-ASCII fix', function(m)
          return #m.diagnostics == 0 and (m.version == nil or m.version == version)
        end)
        return { version = version, published = m, text = vim.api.nvim_buf_get_lines(b3, 0, -1, false) }
      end)
      step('unicode definition', function()
        return request(b3, 'textDocument/definition', { textDocument = { uri = uri3 }, position = u.definition })
      end)
    end
  end

  -- 8. Clean shutdown: shutdown answers (null), exit ends the process with 0.
  step('shutdown', function()
    local c = client()
    if not c then fail('the client is gone before shutdown: ' .. vim.inspect(exit_info)) end
    local resp, err = c.request_sync('shutdown', nil, T, bufnr)
    if not resp then fail('shutdown: no answer from the server within ' .. T .. ' ms (' .. tostring(err) .. ')') end
    if resp.err then fail('shutdown: the server answered with an error: ' .. vim.inspect(resp.err)) end
    c.notify('exit')
    local exited = vim.wait(T, function() return exit_info ~= nil end, 20)
    if not exited then fail('the server did not exit within ' .. T .. ' ms of the exit notification') end
    return { shutdown_result = resp.result == nil and vim.NIL or resp.result, exit = exit_info }
  end)
end

local ok, err = xpcall(main, debug.traceback)
if not ok then result.fatal = tostring(err) end
save()
-- Stop the server if a failed step left it running (no-op after a clean exit).
if client_id and client() and exit_info == nil then pcall(function() client().stop(true) end) end
vim.cmd('qa!')
