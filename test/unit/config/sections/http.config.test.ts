import { describe, expect, it } from '@jest/globals';
import { httpEnv, parseHttp } from '../../../../src/config/sections/http.config';
import { parseSection } from './parse-section';

const parse = (vars: Record<string, string>) => parseSection(httpEnv, parseHttp, vars);

describe('http config: HEALTH_PORT', () => {
  it('is off unless set: the probes are served on PORT', () => {
    expect(parse({}).value).not.toHaveProperty('healthPort');
  });

  it('takes a port of its own, or 0 for a free one', () => {
    expect(parse({ PORT: '4000', HEALTH_PORT: '4001' })).toMatchObject({ value: { healthPort: 4001 }, problems: [] });
    expect(parse({ PORT: '0', HEALTH_PORT: '0' }).problems).toEqual([]);
  });

  it('refuses the main port, which would fail to listen at start', () => {
    expect(parse({ PORT: '4000', HEALTH_PORT: '4000' }).problems).toEqual([
      'HEALTH_PORT: must differ from PORT (unset it to serve the probes on PORT)',
    ]);
  });
});
