import { morningRoutine } from './flows.js';

describe('Morning routine', () => {
  it('when a coordinator filters Hot and calls a lead back, then the card follows the call live, the detail shows the transcript and the new score, and Book marks it booked', async function () {
    await morningRoutine(this);
  });
});
