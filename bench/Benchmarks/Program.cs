using BenchmarkDotNet.Running;
using Nautilus.Benchmarks.Store;

BenchmarkSwitcher.FromAssembly(typeof(StoreBenchmarks).Assembly).Run(args);
