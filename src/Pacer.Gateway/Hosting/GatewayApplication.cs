using System.Net;
using System.Text;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;
using Pacer.Configuration;
using Pacer.Gateway.Admin;
using Pacer.Gateway.Dashboard;
using Pacer.Gateway.Auth;
using Pacer.Gateway.Operations;
using Pacer.Gateway.Proxy;
using Pacer.Gateway.Storage;
using Pacer.Limiting;
using Pacer.PostgreSql;
using Pacer.Redis;
using Pacer.Usage;

namespace Pacer.Gateway.Hosting;

/// <summary>Builds the gateway: settings, store, upstream, engine, endpoints.</summary>
internal static class GatewayApplication
{
    private const string NoConfigReload = "--hostBuilder:reloadConfigOnChange=false";
    private const string InlineCompletionsVariable = "DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS";

    /// <summary>
    /// Builds the application. Throws <see cref="PacerOptionsException"/> for invalid settings and
    /// <see cref="InvalidOperationException"/> when the store cannot be opened.
    /// </summary>
    public static async Task<WebApplication> BuildAsync(GatewayLaunch launch)
    {
        ArgumentNullException.ThrowIfNull(launch);
        // The default host watches appsettings.json in the working folder with a FileSystemWatcher over the whole
        // folder. Its sources are cleared below, but the watcher stays and wakes on every write to pacer.db's journal
        // (one per recorded request): measured at about 9% of the gateway's CPU under load. Nothing reloads anyway.
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = [.. launch.Args, NoConfigReload] });

        // One precedence for every setting: appsettings.json < .env < environment < command line.
        builder.Configuration.Sources.Clear();
        launch.AddSources(builder.Configuration);
        builder.Configuration.AddCommandLine([.. launch.Args]);

        var (environment, options) = StartupSettings.Read(builder.Configuration, out var redis, out var startDegraded);
        if (options.InlineIo && Environment.GetEnvironmentVariable(InlineCompletionsVariable) is null)
        {
            // The runtime reads this once, when the process's first socket starts waiting: here, before the simulator
            // or Kestrel opens one. Upstream answers then continue on the socket thread too (docs/GATEWAY.md). A value
            // the process was given already (by the operator, or by a host that shares the process) is left alone.
            Environment.SetEnvironmentVariable(InlineCompletionsVariable, "1");
        }

        var database = new GatewayDatabase(options.DatabasePath);
        database.Initialize();
        var settingsStore = new SettingsStore(database);
        var engine = RateLimitSettings.Overlay(environment, settingsStore, out var skipped);

        var simulator = options.UseSimulator ? await SimulatorUpstream.StartAsync(builder.Configuration, TimeProvider.System).ConfigureAwait(false) : null;
        var upstream = simulator is not null
            ? new UpstreamTarget(simulator.BaseUrl, isSimulator: true, UpstreamTarget.SimulatorApiKey)
            : new UpstreamTarget(options.UpstreamBaseUrl ?? GatewayOptions.AnthropicApi, isSimulator: false, options.UpstreamApiKey);

        // PACER_REDIS_URL: the limits are shared with every gateway (or worker) on the same Redis and prefix.
        var sharedStore = redis is null ? null : await RedisLimiterStore.ConnectAsync(redis, startDegraded).ConfigureAwait(false);
        var (keyIdSecret, keyIdSource) = await KeyIdSecret.LoadAsync(new InstallationStore(database, TimeProvider.System), redis).ConfigureAwait(false);

        ConfigureHost(builder, options);
        if (sharedStore is not null)
        {
            builder.Services.AddSingleton(sp => sharedStore.WithLoggerFrom(sp.GetRequiredService<ILoggerFactory>()));
            builder.Services.AddSingleton<ILimiterStore>(sp => sp.GetRequiredService<RedisLimiterStore>());

            // Users' budgets are held and charged in one total per user on Redis, across the instances.
            builder.Services.AddSingleton(sp => new BudgetGuard(
                sp.GetRequiredService<IBudgetStore>(), sp.GetRequiredService<IUsageLedger>(), sp.GetRequiredService<TimeProvider>(), refreshInterval: null, sharedStore.Budgets));

            // A settings change through any instance's admin API reaches every instance on the same Redis and prefix.
            builder.Services.AddSingleton<SettingsSync>();
            builder.Services.AddHostedService(sp => sp.GetRequiredService<SettingsSync>());
        }

        ConfigureServices(builder.Services, builder.Configuration, options, environment, engine, database, settingsStore, upstream);
        if (simulator is not null)
        {
            // Created by a factory, so that the container stops it with the gateway.
            builder.Services.AddSingleton(_ => simulator);
        }

        launch.Customize?.Invoke(builder);
        var app = builder.Build();
        MapEndpoints(app, keyIdSecret);
        WireLifetime(app, options, upstream, database, skipped, keyIdSource);
        return app;
    }

    private static void ConfigureHost(WebApplicationBuilder builder, GatewayOptions options)
    {
        builder.WebHost.UseUrls(builder.Configuration["urls"] ?? options.Urls);
        // PACER_INLINE_IO: the request path runs on the socket I/O thread that read the request (docs/GATEWAY.md).
        builder.WebHost.UseSockets(sockets => sockets.UnsafePreferInlineScheduling = options.InlineIo);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            // Bodies are bounded by the gateway itself, so that an oversized one gets Anthropic's 413, not Kestrel's.
            kestrel.Limits.MaxRequestBodySize = null;
            kestrel.AddServerHeader = false;

            // Slow and idle clients (docs/SECURITY.md): each holds a connection only as long as these allow.
            kestrel.Limits.RequestHeadersTimeout = options.RequestHeadersTimeout;
            kestrel.Limits.KeepAliveTimeout = options.KeepAliveTimeout;
            kestrel.Limits.MinRequestBodyDataRate = options.MinRequestBodyBytesPerSecond == 0
                ? null
                : new MinDataRate(options.MinRequestBodyBytesPerSecond, TimeSpan.FromSeconds(5));
            kestrel.Limits.MaxConcurrentConnections = options.MaxConnections == 0 ? null : options.MaxConnections;
        });
        builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = options.ShutdownTimeout);
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(console =>
        {
            console.SingleLine = true;
            console.UseUtcTimestamp = true;
            console.TimestampFormat = ConsoleTimestamp.Pattern;
        });
        if (!OperatingSystem.IsWindows())
        {
            // Same formatter, same lines, but a request's lines reach the console together (docs/GATEWAY.md,
            // "Operations"). Windows keeps the stock logger, which translates colours for old consoles.
            builder.Services.Remove(builder.Services.Single(d => d.ServiceType == typeof(ILoggerProvider) && d.ImplementationType == typeof(ConsoleLoggerProvider)));
            builder.Services.AddSingleton<ILoggerProvider, BatchingConsoleLoggerProvider>();

            // The lines' timestamp is written by that logger, the same characters without the formatter's pattern parsing.
            builder.Services.AddSingleton<ConsoleTimestamp>();
            builder.Services.AddSingleton<IPostConfigureOptions<SimpleConsoleFormatterOptions>>(sp => sp.GetRequiredService<ConsoleTimestamp>());
        }

        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        builder.Logging.AddFilter("System.Net.Http.HttpClient", LogLevel.Warning);

        // While this category is enabled at any level, ASP.NET Core starts an Activity and a logging scope for every
        // request (and the upstream call then another Activity and a traceparent header), which no one here reads:
        // its only lines are the Information request start and end, already below the level above.
        builder.Logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.None);
    }

    private static void ConfigureServices(
        IServiceCollection services,
        IConfiguration configuration,
        GatewayOptions options,
        PacerOptions environment,
        PacerOptions engine,
        GatewayDatabase database,
        SettingsStore settingsStore,
        UpstreamTarget upstream)
    {
        services.AddSingleton(TimeProvider.System);
        services.ConfigureHttpJsonOptions(json => json.SerializerOptions.Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping);
        services.AddSingleton(options);
        services.AddSingleton(new EnvironmentSettings(environment));
        services.AddSingleton(database);
        services.AddSingleton(settingsStore);
        services.AddSingleton<KeyStore>();
        services.AddSingleton(upstream);
        services.AddPacer(engine);
        // PACER_USAGE_STORE may name a PostgreSQL server (shared by several gateways) or a SQLite file.
        services.AddPacerUsage(UsageStore(configuration, options), static (store, ledger, logger) => UsageLedgerFactory.Create(store, ledger, logger));
        services.AddSingleton<RateLimitSettings>();
        services.AddSingleton<AdminKeyThrottle>();
        services.AddSingleton<AdminKeyFilter>();
        services.AddCrossOrigin();
        services.AddSingleton<CallerAuthenticator>();
        services.AddSingleton(sp => new ShutdownGate(options.ShutdownTimeout, sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<GatewayMetrics>();
        services.AddSingleton<ResponseRelay>();
        services.AddSingleton<ProxyEndpoint>();
        services.AddDashboard();
        // One engine: every proxied request goes through the PacerHandler, which paces, limits and retries it.
        // The factory's own request loggers keep raw header values (API keys) in their structured state even though
        // the text is redacted; the gateway logs its own line per request instead.
        services.AddHttpClient(ProxyEndpoint.ClientName)
            .RemoveAllLoggers()
            .AddPacer()
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler
            {
                AllowAutoRedirect = false,
                UseCookies = false,
                AutomaticDecompression = DecompressionMethods.None,
                ConnectTimeout = TimeSpan.FromSeconds(30),
                PooledConnectionLifetime = TimeSpan.FromMinutes(5),

                // Kestrel reads a non-ASCII header value as UTF-8; writing it back as UTF-8 forwards the caller's bytes
                // unchanged. The default (ASCII only) threw on every attempt, retried and ended in a 502 "unreachable".
                RequestHeaderEncodingSelector = (_, _) => Encoding.UTF8,
            });
        services.AddOpenTelemetry().WithMetrics(metrics => metrics
            // System.Runtime: the runtime's own gauges (GC heap, working set, threads), to watch a long-running gateway.
            .AddMeter("Pacer", GatewayMetrics.MeterName, "System.Runtime")
            .AddPrometheusExporter());
    }

    /// <summary>The usage ledger lives in the gateway's own file unless <c>PACER_USAGE_STORE</c> names another store.</summary>
    private static UsageOptions UsageStore(IConfiguration configuration, GatewayOptions options)
    {
        var usage = UsageOptions.Bind(configuration);
        var named = configuration[UsageOptions.StoreVariable] ?? configuration[$"{UsageOptions.SectionName}:{nameof(UsageOptions.Store)}"];
        return string.IsNullOrWhiteSpace(named) ? usage with { Store = options.DatabasePath } : usage;
    }

    private static void MapEndpoints(WebApplication app, byte[] keyIdSecret)
    {
        app.UseKeyIdSecret(keyIdSecret);
        app.UseCrossOrigin(app.Services.GetRequiredService<GatewayOptions>());

        // The proxy's requests leave the pipeline here; the rest below serve every other path (and "/v1" itself).
        app.UseProxyRoute();
        app.UseStatusCodePages(NotFoundOrNotAllowed.WriteAsync);
        app.UseDashboardHeaders();

        // Placed here, not first as the host would place it, so that the proxy's requests skip its match.
        app.UseRouting();
        app.MapPrometheusScrapingEndpoint("/metrics");
        app.MapHealth();
        app.MapAdmin();
        app.MapDashboard();
        app.Map("/v1/{**path}", context => context.RequestServices.GetRequiredService<ProxyEndpoint>().HandleAsync(context));
    }

    private static void WireLifetime(WebApplication app, GatewayOptions options, UpstreamTarget upstream, GatewayDatabase database, IReadOnlyList<SettingError> skipped, string keyIdSource)
    {
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Pacer.Gateway");
        _ = app.Services.GetService<SimulatorUpstream>();
        var lifetime = app.Services.GetRequiredService<IHostApplicationLifetime>();
        lifetime.ApplicationStarted.Register(() =>
        {
            foreach (var error in skipped)
            {
                GatewayLog.PersistedSettingSkipped(logger, error.ToString());
            }

            var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
            if (upstream.IsSimulator)
            {
                GatewayLog.Banner(logger, SimulatorUpstream.Banner(upstream.BaseUrl));
            }

            var listening = string.Join(", ", addresses);
            var upstreamText = upstream.BaseUrl.ToString();
            var mode = options.AuthMode.ToString().ToLowerInvariant();
            KeyIdSecret.Loaded(logger, keyIdSource);
            GatewayLog.Started(logger, listening, upstreamText, mode, database.FullPath, options.AdminApiKey is null ? "off (set PACER_ADMIN_API_KEY)" : "on");
        });
        lifetime.ApplicationStopping.Register(() =>
        {
            GatewayLog.ShuttingDown(logger, (long)options.ShutdownTimeout.TotalMilliseconds);
            app.Services.GetRequiredService<ShutdownGate>().Begin();
            app.Services.GetRequiredService<Limiter>().Dispose();
        });
    }
}
