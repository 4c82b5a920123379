/** A confusion matrix, spam positive ([[tn, fp], [fn, tp]]), each cell shaded by its share. */
export function ConfusionTable({ confusion, caption }: { confusion: number[][]; caption: string }) {
  const [[tn, fp], [fn, tp]] = confusion;
  const total = tn + fp + fn + tp || 1;
  const shade = (n: number, good: boolean) => ({
    background: `color-mix(in srgb, ${good ? 'var(--ok)' : 'var(--bad)'} ${Math.round(8 + (60 * n) / total)}%, transparent)`,
  });
  return (
    <table className="confusion" aria-label={caption}>
      <caption>{caption}</caption>
      <thead>
        <tr>
          <td />
          <th scope="col">pred. ham</th>
          <th scope="col">pred. spam</th>
        </tr>
      </thead>
      <tbody>
        <tr>
          <th scope="row">true ham</th>
          <td style={shade(tn, true)} title="true negatives">
            {tn}
          </td>
          <td style={shade(fp, false)} title="false positives: ham flagged as spam">
            {fp}
          </td>
        </tr>
        <tr>
          <th scope="row">true spam</th>
          <td style={shade(fn, false)} title="false negatives: spam let through">
            {fn}
          </td>
          <td style={shade(tp, true)} title="true positives">
            {tp}
          </td>
        </tr>
      </tbody>
    </table>
  );
}
