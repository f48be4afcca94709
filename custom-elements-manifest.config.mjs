// `cem analyze` (run by `npm run build`): custom-elements.json from the elements' JSDoc (@tagname, @fires, @csspart, @cssprop).
export default {
  globs: ['widget/src/components/**/*.ts'],
  exclude: ['**/*.test.ts', '**/*.styles.ts', 'widget/src/test/**'],
  outdir: '.',
  litelement: true,
  dependencies: false,
};
