// The page: hands the chosen model files and the prompt to worker.js and shows each token as it
// comes. With ?model=URL_PREFIX the model's files are fetched from there instead (tokenizer.model
// only when present), and ids= (or prompt=), n=, greedy=, seed= start a generation at once: the
// automated check (scripts/test-wasm.sh) reads #ids and #status when #status says "done".
'use strict';

const $ = (id) => document.getElementById(id);
const worker = new Worker('worker.js');
const query = new URLSearchParams(location.search);
let hasTokenizer = false;
let ids = [];

function setStatus(text, error = false) {
  $('status').textContent = text;
  $('status').className = error ? 'error' : '';
}

function openModel(files) {
  setStatus(`opening ${files.map((f) => f.name).join(', ')}`);
  worker.postMessage({type: 'open', files}, files.map((f) => f.bytes));
}

// The model's files among those chosen (a folder may hold others): by name, without folders.
async function chosenFiles(list) {
  const wanted = (name) => /^(config\.json|.*\.safetensors(\.index\.json)?|tokenizer\.model)$/.test(name);
  const files = [...list].filter((f) => wanted(f.name));
  return Promise.all(files.map(async (f) => ({name: f.name, bytes: await f.arrayBuffer()})));
}

async function fetchModel(prefix) {
  const get = async (name, optional) => {
    const response = await fetch(`${prefix}/${name}`);
    if (!response.ok) {
      if (optional) return null;
      throw new Error(`${prefix}/${name}: HTTP ${response.status}`);
    }
    return {name, bytes: await response.arrayBuffer()};
  };
  const files = [await get('config.json'), await get('model.safetensors'), await get('tokenizer.model', true)];
  return files.filter((f) => f);
}

function generate(request) {
  ids = [];
  $('text').textContent = '';
  $('ids').textContent = '';
  $('generate').disabled = true;
  setStatus('generating');
  worker.postMessage({type: 'generate', ...request});
}

// The prompt box as a request: text for a model with a tokenizer, else ids.
function requestFromForm() {
  const prompt = $('prompt').value;
  const request = {n: Number($('n').value), greedy: $('greedy').checked, seed: Number($('seed').value)};
  if (hasTokenizer) return {...request, text: prompt};
  return {...request, ids: prompt.split(',').map((s) => Number(s.trim()))};
}

worker.onmessage = (event) => {
  const m = event.data;
  if (m.type === 'ready') {
    setStatus('choose a model');
    if (query.has('model')) {
      fetchModel(query.get('model')).then(openModel, (e) => setStatus(e.message, true));
    }
  } else if (m.type === 'opened') {
    hasTokenizer = m.info.hasTokenizer;
    setStatus(`model open: vocabulary ${m.info.vocabSize}, ${m.info.layers} layers, ` +
              (hasTokenizer ? 'with a tokenizer' : 'no tokenizer (prompt as ids)'));
    $('generate').disabled = false;
    if (query.has('ids') || query.has('prompt')) {
      const request = {n: Number(query.get('n') || 50), greedy: query.get('greedy') === '1',
                       seed: Number(query.get('seed') || 0)};
      if (query.has('ids')) request.ids = query.get('ids').split(',').map(Number);
      else request.text = query.get('prompt');
      $('prompt').value = query.get('ids') || query.get('prompt');
      $('n').value = request.n;
      $('greedy').checked = request.greedy;
      $('seed').value = request.seed;
      generate(request);
    }
  } else if (m.type === 'token') {
    ids.push(m.token);
    $('ids').textContent = ids.join(',');
    $('text').textContent = m.text === null ? ids.join(' ') : m.text;
  } else if (m.type === 'done') {
    setStatus('done');
    $('generate').disabled = false;
  } else if (m.type === 'error') {
    setStatus(m.message, true);
    $('generate').disabled = false;
  }
};

for (const input of [$('folder'), $('files')]) {
  input.onchange = () => chosenFiles(input.files).then(openModel, (e) => setStatus(e.message, true));
}
$('generate').onclick = () => generate(requestFromForm());
