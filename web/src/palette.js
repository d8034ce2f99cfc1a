// Colours and shapes of node kinds, keyed by kind name, and the matching legend swatches.
// Kinds the schema gains later get a colour from the spare list (stable per name) and a circle.

const KNOWN = {
  Person: { color: '#e15759', shape: 'ellipse' },
  University: { color: '#4e79a7', shape: 'round-rectangle' },
  ResearchInstitute: { color: '#76b7b2', shape: 'rectangle' },
  Laboratory: { color: '#59a14f', shape: 'hexagon' },
  Facility: { color: '#9c755f', shape: 'octagon' },
  Enterprise: { color: '#f28e2b', shape: 'diamond' },
  GovernmentBody: { color: '#b07aa1', shape: 'pentagon' },
  Academy: { color: '#499894', shape: 'barrel' },
  Team: { color: '#ff9da7', shape: 'triangle' },
  Project: { color: '#6f9fd8', shape: 'rhomboid' },
  Award: { color: '#e8b500', shape: 'star' },
  Designation: { color: '#d37295', shape: 'tag' },
  Topic: { color: '#8cd17d', shape: 'round-diamond' },
  Region: { color: '#a5a09c', shape: 'round-octagon' },
  Source: { color: '#79706e', shape: 'cut-rectangle' },
};

const SPARE_COLORS = ['#17becf', '#bcbd22', '#7f7f7f', '#8c564b', '#9467bd', '#2ca02c', '#d62728'];

function hash(text) {
  let h = 0;
  for (const ch of text) h = (h * 31 + ch.codePointAt(0)) >>> 0;
  return h;
}

/** {color, shape} of a node kind. */
export function kindStyle(kind) {
  return KNOWN[kind] ?? { color: SPARE_COLORS[hash(kind) % SPARE_COLORS.length], shape: 'ellipse' };
}

// Unit-square polygons (coordinates in [-1, 1]) approximating cytoscape's shapes.
function ngon(sides, rotation = 0) {
  const points = [];
  for (let i = 0; i < sides; i++) {
    const a = rotation + (2 * Math.PI * i) / sides - Math.PI / 2;
    points.push([Math.cos(a), Math.sin(a)]);
  }
  return points;
}

function star() {
  const points = [];
  for (let i = 0; i < 10; i++) {
    const r = i % 2 === 0 ? 1 : 0.45;
    const a = (Math.PI * i) / 5 - Math.PI / 2;
    points.push([r * Math.cos(a), r * Math.sin(a)]);
  }
  return points;
}

const POLYGONS = {
  hexagon: ngon(6, Math.PI / 6),
  octagon: ngon(8, Math.PI / 8),
  'round-octagon': ngon(8, Math.PI / 8),
  pentagon: ngon(5),
  triangle: [[0, -1], [1, 0.8], [-1, 0.8]],
  diamond: [[0, -1], [1, 0], [0, 1], [-1, 0]],
  'round-diamond': [[0, -1], [1, 0], [0, 1], [-1, 0]],
  rhomboid: [[-0.6, -0.8], [1, -0.8], [0.6, 0.8], [-1, 0.8]],
  tag: [[-1, -0.8], [0.4, -0.8], [1, 0], [0.4, 0.8], [-1, 0.8]],
  'cut-rectangle': [[-0.7, -0.8], [0.7, -0.8], [1, -0.5], [1, 0.5], [0.7, 0.8], [-0.7, 0.8], [-1, 0.5], [-1, -0.5]],
  star: star(),
};

/** An inline SVG element drawing the kind's shape in its colour, `size` pixels wide. */
export function swatch(kind, size = 14) {
  const { color, shape } = kindStyle(kind);
  const ns = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(ns, 'svg');
  svg.setAttribute('viewBox', '-1.1 -1.1 2.2 2.2');
  svg.setAttribute('width', size);
  svg.setAttribute('height', size);
  svg.setAttribute('aria-hidden', 'true');
  svg.classList.add('swatch');
  let el;
  if (shape === 'ellipse') {
    el = document.createElementNS(ns, 'circle');
    el.setAttribute('r', '1');
  } else if (shape === 'rectangle' || shape === 'round-rectangle' || shape === 'barrel') {
    el = document.createElementNS(ns, 'rect');
    el.setAttribute('x', '-1');
    el.setAttribute('y', '-0.8');
    el.setAttribute('width', '2');
    el.setAttribute('height', '1.6');
    if (shape !== 'rectangle') el.setAttribute('rx', shape === 'barrel' ? '0.6' : '0.35');
  } else {
    el = document.createElementNS(ns, 'polygon');
    el.setAttribute('points', (POLYGONS[shape] ?? ngon(12)).map((p) => p.join(',')).join(' '));
    el.setAttribute('stroke-linejoin', 'round');
  }
  el.setAttribute('fill', color);
  el.setAttribute('stroke', 'rgba(0,0,0,0.35)');
  el.setAttribute('stroke-width', '0.12');
  svg.append(el);
  return svg;
}
