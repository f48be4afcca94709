import { morningRoutine } from './flows.js';

describe('Morning routine on a phone (390x844, touch)', () => {
  it('when the coordinator works the morning routine on a phone, then filtering, calling, the detail and Book all work by touch', async function () {
    await morningRoutine(this, { mobile: true });
  });
});
