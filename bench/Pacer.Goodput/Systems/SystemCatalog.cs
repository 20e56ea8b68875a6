using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Pacer.Configuration;
using Pacer.Goodput.Hosting;
using Pacer.Goodput.Workloads;
using Pacer.Http;

namespace Pacer.Goodput.Systems;

/// <summary>The five systems the goodput benchmark compares, each built fresh against a given upstream and key.</summary>
internal static class SystemCatalog
{
    public static IReadOnlyList<SystemUnderTest> All { get; } =
    [
        new(1, "anthropic-sdk", "official Anthropic SDK 13.14.0, default retries (2), no limiter", AnthropicSdkAsync),
        new(2, "http-resilience", "HttpClient + AddStandardResilienceHandler() defaults (Microsoft.Extensions.Http.Resilience 10.11.0)", StandardResilienceAsync),
        new(3, "pacer-static", "SDK (MaxRetries 0) over PacerHttpClient: known limits set, LearnLimits=false", PacerStaticAsync),
        new(4, "pacer-learning", "SDK (MaxRetries 0) over PacerHttpClient: no limits set (1000 RPM, 50 concurrent), learned from headers", PacerLearningAsync),
        new(5, "pacer-gateway", "SDK (MaxRetries 0) -> Pacer gateway process (1000 RPM, 50 concurrent, learning) -> upstream", GatewayAsync),
    ];

    /// <summary>The settings of system 3: the upstream's own limits and token burst given to Pacer, nothing learned.</summary>
    public static PacerOptions StaticOptions(GoodputSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return new PacerOptions
        {
            LearnLimits = false,
            ExtendedRanges = settings.ExtendedRanges,
            MaxRequestsPerMinute = settings.Limits.RequestsPerMinute,
            MaxConcurrentRequests = settings.PacerConcurrency,
            InputTokensPerMinute = settings.Limits.InputTokensPerMinute,
            OutputTokensPerMinute = settings.Limits.OutputTokensPerMinute,
            TokenBurstSeconds = Math.Clamp((int)Math.Round(settings.Limits.BurstSeconds), 1, 60),
        };
    }

    /// <summary>The settings of systems 4 and 5: no upstream limit given; the most the seed's ranges allow, the rest learned.</summary>
    public static PacerOptions LearningOptions(GoodputSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return new()
        {
            LearnLimits = true,
            ExtendedRanges = settings.ExtendedRanges,
            OutputReservation = settings.OutputReservation ?? PacerDefaults.OutputReservation,
            MaxRequestsPerMinute = settings.PacerRequestsPerMinute,
            MaxConcurrentRequests = settings.PacerConcurrency,
        };
    }

    /// <summary>The SDK timeout Pacer's documentation asks for: it must cover the queue wait (docs/ENGINE.md).</summary>
    private static readonly TimeSpan PacedSdkTimeout = TimeSpan.FromMinutes(10);

    private static RequestTag Tagged() => new RequestTag(new SocketsHttpHandler());

    private static Task<IRequestSender> AnthropicSdkAsync(Uri upstream, string key, GoodputSettings settings) =>
        Task.FromResult<IRequestSender>(SdkSender.Create(upstream, key, new HttpClient(Tagged()), maxRetries: null));

    private static Task<IRequestSender> StandardResilienceAsync(Uri upstream, string key, GoodputSettings settings)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddHttpClient("standard")
            .AddHttpMessageHandler(() => new RequestTag())
            .AddStandardResilienceHandler();
        var provider = services.BuildServiceProvider();
        var client = provider.GetRequiredService<IHttpClientFactory>().CreateClient("standard");
        return Task.FromResult<IRequestSender>(new HttpSender(client, upstream, key, provider));
    }

    private static Task<IRequestSender> PacerStaticAsync(Uri upstream, string key, GoodputSettings settings) =>
        Task.FromResult<IRequestSender>(PacerSender(upstream, key, StaticOptions(settings)));

    private static Task<IRequestSender> PacerLearningAsync(Uri upstream, string key, GoodputSettings settings) =>
        Task.FromResult<IRequestSender>(PacerSender(upstream, key, LearningOptions(settings)));

    /// <summary>The SDK over <see cref="PacerHttpClient"/>, with a limiter the harness watches (<see cref="LimiterProbe"/>).</summary>
    private static SdkSender PacerSender(Uri upstream, string key, PacerOptions options)
    {
        var probe = new LimiterProbe(options);
        return SdkSender.Create(upstream, key, PacerHttpClient.Create(probe.Limiter, innerHandler: Tagged()), maxRetries: 0, owned: probe, timeout: PacedSdkTimeout);
    }

    /// <summary>
    /// A few model listings through the freshly started gateway, so that its first Messages requests do not pay for its
    /// start (the runtime compiling its proxy path) inside the measured makespan. The simulator counts no listing
    /// against a rate limit; each is one request in the gateway's own 60-second window.
    /// </summary>
    private static async Task WarmUpAsync(Uri gateway, string key)
    {
        using var client = new HttpClient { BaseAddress = gateway, Timeout = TimeSpan.FromSeconds(30) };
        client.DefaultRequestHeaders.Add("x-api-key", key);
        client.DefaultRequestHeaders.Add("anthropic-version", "2023-06-01");
        for (var i = 0; i < 3; i++)
        {
            using var response = await client.GetAsync(new Uri("v1/models", UriKind.Relative));
        }
    }

    private static async Task<IRequestSender> GatewayAsync(Uri upstream, string key, GoodputSettings settings)
    {
        var options = LearningOptions(settings);
        var environment = new Dictionary<string, string>
        {
            ["ANTHROPIC_RATE_LIMIT_PER_MINUTE"] = options.MaxRequestsPerMinute.ToString(CultureInfo.InvariantCulture),
            ["ANTHROPIC_CONCURRENT_REQUESTS"] = options.MaxConcurrentRequests.ToString(CultureInfo.InvariantCulture),
            ["PACER_LEARN_LIMITS"] = "true",
            ["PACER_EXTENDED_RANGES"] = settings.ExtendedRanges ? "true" : "false",
        };
        if (settings.OutputReservation is { } reservation)
        {
            environment["PACER_OUTPUT_RESERVATION"] = ((int)reservation).ToString(CultureInfo.InvariantCulture);
        }

        var gateway = await GatewayProcess.StartAsync(upstream, environment);
        await WarmUpAsync(gateway.Address, key);
        return SdkSender.Create(gateway.Address, key, new HttpClient(Tagged()), maxRetries: 0, owned: gateway, timeout: PacedSdkTimeout);
    }
}

/// <summary>One system: its number and name, what it is, and how to build a client of it.</summary>
internal sealed record SystemUnderTest(int Number, string Name, string Description, Func<Uri, string, GoodputSettings, Task<IRequestSender>> StartAsync);
