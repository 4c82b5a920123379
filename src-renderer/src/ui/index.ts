/** Small shared pieces of the console: layout, states, controls, charts, formats, icons. */
export { Card } from './Card';
export { ErrorBox } from './ErrorBox';
export { Empty } from './Empty';
export { Spinner } from './Spinner';
export { Progress } from './Progress';
export { Stat } from './Stat';
export { Segmented } from './Segmented';
export { Icon, type IconName } from './Icon';
export { ChartFrame, CHART_MARGIN } from './ChartFrame';
export { LiveCurve, type LiveSeries } from './LiveCurve';
export { DefinitionList, type Definition } from './DefinitionList';
export { useInterval } from './use-interval';
export { SERIES, useChartTheme } from './chart-theme';
export { pct, num, when, day, clock, ago, seconds } from './format';
