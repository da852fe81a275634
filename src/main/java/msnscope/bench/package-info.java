/**
 * What the benchmark commands share: the steady-state timing loop. The benchmarks themselves live next to
 * what they measure ({@code cli.BenchCommand}, {@code cli.ProxyBenchCommand}, {@code index.IndexBenchmark}).
 */
package msnscope.bench;
