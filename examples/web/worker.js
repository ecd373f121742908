// The model runs here, off the page's thread, so the page can show each token as it comes.
// Messages in: {type: 'open', files: [{name, bytes}]} and {type: 'generate', text | ids, n, greedy, seed}.
// Messages out: {type: 'opened', info}, {type: 'token', token, index, text}, {type: 'done', prompt, ids},
// {type: 'error', message}.
'use strict';

let model = 0;  // the pldr_model* of the open model, 0 before one is opened
let info = null;
let prompt = [];  // the ids of the prompt of the generation under way
let generated = [];

var Module = {
  onRuntimeInitialized() { postMessage({type: 'ready'}); },
  // Called by pldr_web_generate with each token; returning true would stop the generation.
  onToken(token, index) {
    generated.push(token);
    // The whole sequence decoded: a piece's leading space is dropped at the start of a text.
    postMessage({type: 'token', token, index, text: info.hasTokenizer ? detokenize(prompt.concat(generated)) : null});
    return false;
  },
};
importScripts('pldr_web.js');

// Throws the C API's message (it names the call) when a call did not return PLDR_OK (0).
function check(status) {
  if (status !== 0) {
    throw new Error(`${Module.UTF8ToString(Module._pldr_last_error())} ` +
                    `(${Module.UTF8ToString(Module._pldr_status_name(status))})`);
  }
}

// Runs fn with `bytes` bytes of the module's heap, freed afterwards.
function withHeap(bytes, fn) {
  const p = Module._malloc(Math.max(bytes, 4));
  try { return fn(p); } finally { Module._free(p); }
}

function open(files) {
  if (model) Module._pldr_model_free(model);
  model = 0;
  // The files are read only while the model opens (its weights are then copies in the module's
  // memory), so they are removed at once rather than held twice.
  const dir = '/model';
  Module.FS.mkdir(dir);
  try {
    for (const f of files) Module.FS.writeFile(`${dir}/${f.name}`, new Uint8Array(f.bytes));
    withHeap(4, (out) => withHeap(Module.lengthBytesUTF8(dir) + 1, (path) => {
      Module.stringToUTF8(dir, path, Module.lengthBytesUTF8(dir) + 1);
      check(Module._pldr_model_open(path, 0, out));
      model = Module.HEAP32[out >> 2];
    }));
  } finally {
    for (const name of Module.FS.readdir(dir)) if (name !== '.' && name !== '..') Module.FS.unlink(`${dir}/${name}`);
    Module.FS.rmdir(dir);
  }
  withHeap(9 * 4, (p) => {
    check(Module._pldr_model_get_info(model, p));
    const v = Module.HEAP32.subarray(p >> 2, (p >> 2) + 9);
    info = {vocabSize: v[0], maxPositions: v[1], layers: v[2], heads: v[3], hidden: v[5], eos: v[6],
            hasTokenizer: v[7] === 1};
  });
  return info;
}

function tokenize(text) {
  const length = Module.lengthBytesUTF8(text) + 1;
  return withHeap(length, (t) => {
    Module.stringToUTF8(text, t, length);
    return withHeap(4, (count) => {
      const status = Module._pldr_tokenize(model, t, 0, 0, count);
      if (status !== 2) check(status);  // 2: too small, the count is reported
      const n = Module.HEAPU32[count >> 2];
      return withHeap(n * 4, (ids) => {
        check(Module._pldr_tokenize(model, t, ids, n, count));
        return Array.from(Module.HEAP32.subarray(ids >> 2, (ids >> 2) + n));
      });
    });
  });
}

function detokenize(ids) {
  return withHeap(ids.length * 4, (p) => {
    Module.HEAP32.set(ids, p >> 2);
    return withHeap(4, (length) => {
      const status = Module._pldr_detokenize(model, p, ids.length, 0, 0, length);
      if (status !== 2) check(status);  // 2: too small, the length is reported
      const n = Module.HEAPU32[length >> 2] + 1;
      return withHeap(n, (text) => {
        check(Module._pldr_detokenize(model, p, ids.length, text, n, length));
        return Module.UTF8ToString(text);
      });
    });
  });
}

function generate(request) {
  if (!model) throw new Error('no model is open');
  prompt = request.ids ? request.ids : tokenize(request.text);
  if (prompt.length === 0) throw new Error('the prompt has no tokens');
  generated = [];
  withHeap(prompt.length * 4, (p) => withHeap(request.n * 4, (tokens) => withHeap(4, (count) => {
    Module.HEAP32.set(prompt, p >> 2);
    check(Module._pldr_web_generate(model, p, prompt.length, request.n, request.greedy ? 1 : 0, request.seed,
                                    tokens, count));
  })));
  return {prompt, ids: generated};
}

onmessage = (event) => {
  const m = event.data;
  try {
    if (m.type === 'open') postMessage({type: 'opened', info: open(m.files)});
    else if (m.type === 'generate') postMessage({type: 'done', ...generate(m)});
  } catch (e) {
    postMessage({type: 'error', message: e.message});
  }
};
