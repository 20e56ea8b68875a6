using System.Net;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Pacer.Simulator.Api;
using Pacer.Simulator.Control;
using Pacer.Simulator.Faults;
using Pacer.Simulator.Hosting;
using Pacer.Simulator.Options;

namespace Pacer.Simulator;

/// <summary>
/// A running simulator of the Anthropic API on Kestrel. Start one in-process with <see cref="StartAsync(SimulatorOptions, CancellationToken)"/>
/// (port 0 picks a free loopback port), point a client at <see cref="BaseAddress"/>, and dispose it to stop it.
/// </summary>
public sealed class SimulatorHost : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly SimulatorState _state;
    private int _disposed;

    private SimulatorHost(WebApplication app, SimulatorState state, Uri baseAddress)
    {
        _app = app;
        _state = state;
        BaseAddress = baseAddress;
    }

    /// <summary>Where the simulator listens, for example <c>http://127.0.0.1:51234/</c>.</summary>
    public Uri BaseAddress { get; }

    /// <summary>The options it runs with.</summary>
    public SimulatorOptions Options => _state.Options;

    /// <summary>Starts a simulator with the system clock.</summary>
    /// <exception cref="ArgumentException">An option is invalid; the message lists every invalid field.</exception>
    public static Task<SimulatorHost> StartAsync(SimulatorOptions options, CancellationToken cancellationToken = default) =>
        StartAsync(options, TimeProvider.System, cancellationToken);

    /// <summary>Starts a simulator whose buckets, latency and log use <paramref name="timeProvider"/> (a fake clock in tests).</summary>
    /// <exception cref="ArgumentException">An option is invalid; the message lists every invalid field.</exception>
    public static Task<SimulatorHost> StartAsync(SimulatorOptions options, TimeProvider timeProvider, CancellationToken cancellationToken = default) =>
        StartAsync(options, timeProvider, logging: null, cancellationToken);

    internal static async Task<SimulatorHost> StartAsync(SimulatorOptions options, TimeProvider timeProvider, Action<ILoggingBuilder>? logging, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timeProvider);
        var errors = SimulatorOptionsValidator.Validate(options);
        if (errors.Count > 0)
        {
            throw new ArgumentException("Invalid simulator options:" + Environment.NewLine + string.Join(Environment.NewLine, errors.Select(e => "  " + e)), nameof(options));
        }

        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [], ContentRootPath = AppContext.BaseDirectory });
        builder.Logging.ClearProviders();
        logging?.Invoke(builder.Logging);
        builder.Services.Configure<HostOptions>(h => h.ShutdownTimeout = TimeSpan.FromSeconds(5));
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = null; // The simulator answers oversized bodies itself, with 413 in Anthropic's shape.
            switch (options.Host)
            {
                case "localhost":
                    kestrel.ListenLocalhost(options.Port);
                    break;
                case "*" or "+":
                    kestrel.ListenAnyIP(options.Port);
                    break;
                default:
                    kestrel.Listen(IPAddress.Parse(options.Host), options.Port);
                    break;
            }
        });

        var app = builder.Build();
        var state = new SimulatorState(options, timeProvider);
        Map(app, state);
        await app.StartAsync(cancellationToken).ConfigureAwait(false);

        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var port = new Uri(address.Replace("[::]", "localhost", StringComparison.Ordinal).Replace("0.0.0.0", "localhost", StringComparison.Ordinal)).Port;
        var host = options.Host is "*" or "+" or "0.0.0.0" ? "127.0.0.1" : options.Host.Contains(':', StringComparison.Ordinal) ? $"[{options.Host}]" : options.Host;
        return new SimulatorHost(app, state, new Uri($"http://{host}:{port}/"));
    }

    /// <summary>The attempts received so far (after sequence number <paramref name="after"/>), oldest first.</summary>
    public IReadOnlyList<SimulatorAttempt> Attempts(long after = 0) => _state.Log.Snapshot(after);

    /// <summary>Queues a fault script (for example <c>429:2,ok</c>) for the next requests, of one API key when given.</summary>
    /// <exception cref="FormatException">The script cannot be read.</exception>
    public void QueueFaults(string script, string? apiKey = null) =>
        _state.Faults.Enqueue(FaultScript.Parse(script, _state.Options.Faults), apiKey is null ? null : KeyId.Of(apiKey));

    /// <summary>Forgets all state: full buckets, no spend, empty prompt cache, no queued faults, empty log.</summary>
    public void Reset() => _state.Reset();

    /// <summary>Waits until the host stops (Ctrl+C in the standalone program) or <paramref name="cancellationToken"/> is cancelled.</summary>
    public Task WaitForShutdownAsync(CancellationToken cancellationToken = default) => _app.WaitForShutdownAsync(cancellationToken);

    /// <summary>Stops Kestrel (open streams and hangs end) and releases it.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }

    private static void Map(WebApplication app, SimulatorState state)
    {
        var stopping = app.Lifetime.ApplicationStopping;
        var faults = new FaultResponder(state, stopping);
        var pacing = new Pacing(state.Options.Latency, state.Options.Seed, state.Time);
        var messages = new MessagesEndpoint(state, faults, new ReplyWriter(pacing, faults));
        var countTokens = new CountTokensEndpoint(state, faults);
        var models = new ModelsEndpoint(state);

        app.MapPost("/v1/messages", (RequestDelegate)messages.HandleAsync);
        app.MapPost("/v1/messages/count_tokens", (RequestDelegate)countTokens.HandleAsync);
        app.MapGet("/v1/models", (RequestDelegate)models.ListAsync);
        app.MapGet("/v1/models/{id}", (HttpContext http, string id) => models.GetAsync(http, id));
        ControlEndpoints.Map(app, state);
        app.MapFallback(async http =>
        {
            var call = new ApiCall(http, state);
            await call.ErrorAsync(404, "not_found_error", "Not Found").ConfigureAwait(false);
        });
    }
}
