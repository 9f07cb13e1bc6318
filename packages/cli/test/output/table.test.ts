import { formatTable } from '../../src/output/table.ts';

it('aligns columns, shows missing values as - and objects as JSON', () => {
  expect(
    formatTable(
      [
        { slot: 'freshen', lag: 12, readers: { active: 1 } },
        { slot: 'b', lag: null },
      ],
      ['slot', 'lag', 'readers'],
    ),
  ).toBe(['slot     lag  readers', 'freshen  12   {"active":1}', 'b        -    -'].join('\n'));
});
