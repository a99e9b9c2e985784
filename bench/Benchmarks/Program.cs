using BenchmarkDotNet.Running;
using Nautilus.Benchmarks;

// Groups: Store (incl. watch fan-out), Serialization, Selectors, RequestPath, Observability,
// Scheduler, OpenApi. Run one with: dotnet run -c Release --project bench/Benchmarks -- --filter '*Store*'
BenchmarkSwitcher.FromAssembly(typeof(QuickConfig).Assembly).Run(args);
