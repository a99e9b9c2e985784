using System.Text;
using Nautilus.Store;

namespace Nautilus.Server.Observability;

/// <summary>Which of the three health endpoints run a check.</summary>
[Flags]
public enum HealthEndpoint
{
    Healthz = 1,
    Livez = 2,
    Readyz = 4,
    All = Healthz | Livez | Readyz,
}

/// <summary>
/// <c>/healthz</c>, <c>/livez</c> and <c>/readyz</c> as kube-apiserver serves them
/// (k8s.io/apiserver/pkg/server/healthz): <c>ok</c>, or with <c>?verbose</c> one
/// <c>[+]name ok</c> line per check and <c>livez check passed</c>; <c>?exclude=name</c> skips a
/// check; a failure answers 500 with <c>[-]name failed: reason withheld</c> lines and
/// <c>livez check failed</c>; each check is also served alone at <c>/livez/name</c>.
/// </summary>
public sealed class HealthChecks
{
    private static readonly ResourceType Namespaces = new("", "namespaces");

    private readonly List<(string Name, Func<string?> Check, HealthEndpoint Endpoints)> _checks = [];
    private bool _mapped;

    /// <param name="store">The store behind the <c>etcd</c> checks (the embedded store plays etcd's part).</param>
    /// <param name="lifetime">Readiness fails once the host starts stopping (the <c>shutdown</c> check).</param>
    public HealthChecks(IObjectStore store, IHostApplicationLifetime lifetime)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(lifetime);
        Add("ping", static () => null);
        Add("log", static () => null);
        Add("etcd", () => StoreProblem(store));
        Add("etcd-readiness", () => StoreProblem(store), HealthEndpoint.Readyz);
        Add("shutdown", () => lifetime.ApplicationStopping.IsCancellationRequested ? "process is shutting down" : null, HealthEndpoint.Readyz);
    }

    /// <summary>
    /// Adds a check, run in registration order: it returns null when healthy, else why not (only
    /// ever shown at its own path, never in the aggregated output). Add checks before the
    /// endpoints are mapped.
    /// </summary>
    public void Add(string name, Func<string?> check, HealthEndpoint endpoints = HealthEndpoint.All)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(check);
        if (_mapped)
        {
            throw new InvalidOperationException("health checks are added before the endpoints are mapped");
        }

        if (_checks.Exists(c => c.Name == name))
        {
            throw new ArgumentException($"health check {name} is already registered", nameof(name));
        }

        _checks.Add((name, check, endpoints));
    }

    /// <summary>Runs the checks of one endpoint as kube's handleRootHealth does; returns the status code and body.</summary>
    public (int StatusCode, string Body) Evaluate(HealthEndpoint endpoint, bool verbose, IReadOnlyCollection<string> exclude)
    {
        var name = endpoint.ToString().ToLowerInvariant();
        var output = new StringBuilder();
        var excluded = new HashSet<string>(exclude, StringComparer.Ordinal);
        var failed = false;
        foreach (var (checkName, check, endpoints) in _checks)
        {
            if ((endpoints & endpoint) == 0)
            {
                continue;
            }

            if (excluded.Remove(checkName))
            {
                output.Append("[+]").Append(checkName).Append(" excluded: ok\n");
                continue;
            }

            if (Run(check) is null)
            {
                output.Append("[+]").Append(checkName).Append(" ok\n");
            }
            else
            {
                // The reason is withheld: these endpoints are public.
                output.Append("[-]").Append(checkName).Append(" failed: reason withheld\n");
                failed = true;
            }
        }

        if (excluded.Count > 0)
        {
            var names = new List<string>(excluded);
            names.Sort(StringComparer.Ordinal);
            output.Append("warn: some health checks cannot be excluded: no matches for ")
                .AppendJoin(',', names.ConvertAll(n => "\"" + n + "\""))
                .Append('\n');
        }

        if (failed)
        {
            // http.Error: the message and a newline.
            return (StatusCodes.Status500InternalServerError, output.Append(name).Append(" check failed\n").ToString());
        }

        return (StatusCodes.Status200OK, verbose ? output.Append(name).Append(" check passed\n").ToString() : "ok");
    }

    internal void Map(IEndpointRouteBuilder endpoints)
    {
        _mapped = true;
        foreach (var endpoint in (ReadOnlySpan<HealthEndpoint>)[HealthEndpoint.Healthz, HealthEndpoint.Livez, HealthEndpoint.Readyz])
        {
            var path = "/" + endpoint.ToString().ToLowerInvariant();
            endpoints.MapGet(path, (HttpContext context) =>
            {
                var query = context.Request.Query;
                var (status, body) = Evaluate(endpoint, query.ContainsKey("verbose"), query["exclude"].Where(v => v is not null).Select(v => v!).ToArray());
                return Write(context, status, body);
            });
            foreach (var (name, check, on) in _checks)
            {
                if ((on & endpoint) != 0)
                {
                    endpoints.MapGet(path + "/" + name, (HttpContext context) => Run(check) is { } problem
                        ? Write(context, StatusCodes.Status500InternalServerError, "internal server error: " + problem + "\n")
                        : Write(context, StatusCodes.Status200OK, "ok"));
                }
            }
        }
    }

    private static Task Write(HttpContext context, int status, string body)
    {
        var response = context.Response;
        response.StatusCode = status;
        response.ContentType = "text/plain; charset=utf-8";
        response.Headers.XContentTypeOptions = "nosniff";
        return response.WriteAsync(body);
    }

    private static string? Run(Func<string?> check)
    {
        try
        {
            return check();
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return e.Message;
        }
    }

    /// <summary>The store answers reads and still accepts writes (a failed log fsync stops it, as a lost etcd quorum would).</summary>
    private static string? StoreProblem(IObjectStore store)
    {
        var inner = store is InstrumentedObjectStore instrumented ? instrumented.Inner : store;
        if (inner is EmbeddedStore { WriteFault: { } fault })
        {
            return "the store stopped accepting writes: " + fault.Message;
        }

        var read = inner.GetAsync(Namespaces, new ObjectKey("", "default"));
        if (!read.IsCompleted)
        {
            return null;
        }

        _ = read.Result;
        return null;
    }
}
