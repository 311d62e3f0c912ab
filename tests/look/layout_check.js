() => {
  // Run in the page by tests/look/harness.py: what a person would notice is wrong
  // (overflow, landmark and h1 placement, hidden things shown). Returns strings.
  const problems = [];
  const vw = document.documentElement.clientWidth, vh = window.innerHeight;
  if (document.documentElement.scrollWidth > vw + 1) {
    const wide = [...document.querySelectorAll('body *')].filter(el => {
      const r = el.getBoundingClientRect();
      return r.right > vw + 1 && getComputedStyle(el).position !== 'fixed' && r.width > 0;
    }).slice(0, 3).map(el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
      (el.className && typeof el.className === 'string' ? '.' + el.className.split(' ').join('.') : ''));
    problems.push(`horizontal overflow: page is ${document.documentElement.scrollWidth}px wide in ${vw}px (${wide.join(', ')})`);
  }
  const mains = document.querySelectorAll('main');
  if (mains.length !== 1) problems.push(`${mains.length} main landmarks`);
  const main = mains[0];
  if (main) {
    const r = main.getBoundingClientRect();
    if (r.top >= vh || r.bottom <= 0) problems.push('main landmark starts below the first viewport');
    const h1s = [...main.querySelectorAll('h1')].filter(h => h.getClientRects().length && getComputedStyle(h).visibility !== 'hidden');
    if (h1s.length !== 1) problems.push(`${h1s.length} visible h1 in main`);
    else {
      const hr = h1s[0].getBoundingClientRect();
      if (hr.top < 0 || hr.bottom > vh) problems.push(`h1 "${h1s[0].textContent.trim()}" is outside the first viewport (top ${Math.round(hr.top)})`);
      if (hr.width <= 1 || hr.height <= 1) problems.push('the h1 is visually hidden');
    }
  }
  // Heading levels go down one step at a time (h1, then h2, then h3): screen-reader users
  // navigate by them, and a jump reads as a missing section.
  let level = 0;
  for (const h of document.querySelectorAll('main h1, main h2, main h3, main h4, main h5, main h6')) {
    if (h.closest('[hidden], template, dialog:not([open])')) continue;
    const next = Number(h.tagName[1]);
    if (level && next > level + 1) {
      problems.push(`heading order: <h${next}> "${h.textContent.trim().slice(0, 40)}" follows an <h${level}>`);
    }
    level = next;
  }
  const shown = (el) => {
    const r = el.getBoundingClientRect();
    const cs = getComputedStyle(el);
    return r.width > 1 && r.height > 1 && cs.visibility !== 'hidden' && cs.display !== 'none' &&
      cs.opacity !== '0' && !(cs.clip && cs.clip.startsWith('rect(0')) && cs.clipPath !== 'inset(50%)';
  };
  for (const el of document.querySelectorAll('[hidden], .sr-only')) {
    if (el.closest('template')) continue;
    if (el.matches('.sr-only') && el.matches(':focus-within')) continue;
    if (shown(el)) problems.push(`visible although ${el.hasAttribute('hidden') ? '[hidden]' : '.sr-only'}: <${el.tagName.toLowerCase()}${el.id ? ' id=' + el.id : ''}> "${el.textContent.trim().slice(0, 40)}"`);
  }
  return problems;
}
