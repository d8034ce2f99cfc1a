// Exports of the current view: a PNG picture (cy.png) and GraphML (for Gephi, Cytoscape
// desktop, yEd) with node id, key, kind, name and edge id, type, valid_from, valid_to, weight.
// Hub aggregates are not entities and are left out of the GraphML.

const NODE_KEYS = [
  ['key', 'string'],
  ['kind', 'string'],
  ['name', 'string'],
];
const EDGE_KEYS = [
  ['type', 'string'],
  ['valid_from', 'string'],
  ['valid_to', 'string'],
  ['weight', 'double'],
];

function escapeXml(text) {
  return String(text).replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]);
}

function data(key, value) {
  return `      <data key="${key}">${escapeXml(value)}</data>\n`;
}

/** The GraphML document of the drawn entities and the edges between them. */
export function toGraphML(cy) {
  const nodes = cy.nodes().not('.aggregate');
  const edges = cy.edges().not('.aggregate-edge');
  let xml =
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    '<graphml xmlns="http://graphml.graphdrawing.org/xmlns"\n' +
    '    xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"\n' +
    '    xsi:schemaLocation="http://graphml.graphdrawing.org/xmlns http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd">\n';
  for (const [name, type] of NODE_KEYS) {
    xml += `  <key id="${name}" for="node" attr.name="${name}" attr.type="${type}"/>\n`;
  }
  for (const [name, type] of EDGE_KEYS) {
    xml += `  <key id="${name}" for="edge" attr.name="${name}" attr.type="${type}"/>\n`;
  }
  xml += '  <graph id="innograph" edgedefault="directed">\n';
  nodes.forEach((n) => {
    xml += `    <node id="${escapeXml(n.id())}">\n`;
    xml += data('key', n.data('key')) + data('kind', n.data('kind')) + data('name', n.data('name'));
    xml += '    </node>\n';
  });
  edges.forEach((e) => {
    xml += `    <edge id="${escapeXml(e.id())}" source="${escapeXml(e.source().id())}" target="${escapeXml(e.target().id())}">\n`;
    xml += data('type', e.data('type'));
    if (e.data('validFrom')) xml += data('valid_from', e.data('validFrom'));
    if (e.data('validTo')) xml += data('valid_to', e.data('validTo'));
    xml += data('weight', e.data('weight') ?? 1);
    xml += '    </edge>\n';
  });
  xml += '  </graph>\n</graphml>\n';
  return xml;
}

/** Saves a Blob as a file through a temporary download link. */
export function download(blob, filename) {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  a.hidden = true;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 30000);
}

export function exportPng(cy, basename) {
  const blob = cy.png({ output: 'blob', full: true, scale: 2, bg: '#ffffff', maxWidth: 8000, maxHeight: 8000 });
  download(blob, `${basename}.png`);
}

export function exportGraphML(cy, basename) {
  download(new Blob([toGraphML(cy)], { type: 'application/graphml+xml' }), `${basename}.graphml`);
}
