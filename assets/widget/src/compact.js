// The index's lists as model_build/compact.py writes them small (format 3): the ids front-coded,
// a line each; only the classes (twins) and families (kin) of two or more.

export function frontDecode(coded) {
  const ids = [];
  if (!coded) return ids;
  let before = '';
  coded.split('\n').forEach((line, n) => {
    before = n === 0 ? line : before.slice(0, line.charCodeAt(0) - 48) + line.slice(1);
    ids.push(before);
  });
  return ids;
}

export function classesOf(icons, twins) {
  const group = new Map(twins.map((members) => [members[0], members]));
  const later = new Set(twins.flatMap((members) => members.slice(1)));
  const classes = [];
  for (let i = 0; i < icons; i++) if (!later.has(i)) classes.push(group.get(i) || [i]);
  return classes;
}

export function familiesOf(classes, kin) {
  const of = new Map();
  kin.forEach((members) => members.forEach((c) => of.set(c, members)));
  const families = [];
  for (let c = 0; c < classes; c++) {
    const members = of.get(c);
    if (!members) families.push([c]);
    else if (c === Math.min(...members)) families.push(members);
  }
  return families;
}
