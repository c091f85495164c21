// A small strict XML reader for validating the polkit policy without an XML dependency: it
// checks well-formedness (one root, balanced and properly nested tags, quoted unique attributes,
// known entities) and returns the element tree. Not a general parser: no CDATA, no internal DTD subset.

export interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  children: XmlElement[];
  text: string;
}

const NAME = '[A-Za-z_][\\w.:-]*';
const ENTITY = /&(?!(?:lt|gt|amp|quot|apos|#\d+|#x[0-9a-fA-F]+);)/;

export function parseXml(source: string): XmlElement {
  let rest = source.replace(/^\uFEFF/, '');
  const declaration = new RegExp(`^<\\?xml(\\s+${NAME}\\s*=\\s*"[^"]*")*\\s*\\?>`).exec(rest);
  if (declaration) rest = rest.slice(declaration[0].length);
  const stack: XmlElement[] = [];
  let root: XmlElement | null = null;
  const tag = new RegExp(`^<(/?)(${NAME})((?:\\s+${NAME}\\s*=\\s*(?:"[^"<]*"|'[^'<]*'))*)\\s*(/?)>`);
  while (rest.length > 0) {
    const open = rest.indexOf('<');
    const text = open < 0 ? rest : rest.slice(0, open);
    if (ENTITY.test(text)) throw new Error(`bad entity in text near '${text.slice(0, 30)}'`);
    if (text.trim() !== '') {
      const parent = stack.at(-1);
      if (!parent) throw new Error(`text outside the root element: '${text.trim().slice(0, 30)}'`);
      parent.text += text;
    }
    if (open < 0) break;
    rest = rest.slice(open);
    if (rest.startsWith('<!--')) {
      const end = rest.indexOf('-->');
      if (end < 0) throw new Error('unterminated comment');
      if (rest.slice(4, end).includes('--')) throw new Error("'--' inside a comment");
      rest = rest.slice(end + 3);
      continue;
    }
    if (rest.startsWith('<!DOCTYPE')) {
      if (root || stack.length > 0) throw new Error('DOCTYPE after the root element');
      const end = rest.indexOf('>');
      if (end < 0 || rest.slice(0, end).includes('[')) throw new Error('unsupported or unterminated DOCTYPE');
      rest = rest.slice(end + 1);
      continue;
    }
    const match = tag.exec(rest);
    if (!match) throw new Error(`malformed markup near '${rest.slice(0, 40)}'`);
    rest = rest.slice(match[0].length);
    const [, closing, name = '', attributeText = '', selfClosing] = match;
    if (closing) {
      const top = stack.pop();
      if (!top || top.name !== name) throw new Error(`</${name}> closes <${top?.name ?? 'nothing'}>`);
      continue;
    }
    const attributes: Record<string, string> = {};
    for (const attribute of attributeText.matchAll(new RegExp(`(${NAME})\\s*=\\s*(?:"([^"]*)"|'([^']*)')`, 'g'))) {
      const key = attribute[1] ?? '';
      const value = attribute[2] ?? attribute[3] ?? '';
      if (key in attributes) throw new Error(`duplicate attribute ${key} on <${name}>`);
      if (ENTITY.test(value)) throw new Error(`bad entity in attribute ${key}`);
      attributes[key] = value;
    }
    const element: XmlElement = { name, attributes, children: [], text: '' };
    const parent = stack.at(-1);
    if (parent) parent.children.push(element);
    else if (root) throw new Error(`second root element <${name}>`);
    else root = element;
    if (!selfClosing) stack.push(element);
  }
  if (stack.length > 0) throw new Error(`<${stack.at(-1)?.name}> is never closed`);
  if (!root) throw new Error('no root element');
  return root;
}

export function childrenNamed(element: XmlElement, name: string): XmlElement[] {
  return element.children.filter((child) => child.name === name);
}
