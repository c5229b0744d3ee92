/** The line the fallback RSS wrapper prints on stderr as its process exits. */
export const RSS_MARKER = 'XMARGIN_BENCH_MAXRSS_KB=';
