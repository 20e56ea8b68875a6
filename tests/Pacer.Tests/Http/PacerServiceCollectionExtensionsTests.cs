using System.Net;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;
using Pacer.Configuration;
using Pacer.Http;
using Pacer.Limiting;
using Pacer.Tests.Support;

namespace Pacer.Tests.Http;

public sealed class PacerServiceCollectionExtensionsTests
{
    [Fact]
    public void AddPacer_Configuration_RegistersTheLimiterWithTheBoundSettings()
    {
        var services = new ServiceCollection().AddPacer(Configuration(("ANTHROPIC_RATE_LIMIT_PER_MINUTE", "100"), ("Pacer:MaxRetries", "5")));
        using var provider = services.BuildServiceProvider();

        var limiter = provider.GetRequiredService<Limiter>();

        limiter.ShouldBeSameAs(provider.GetRequiredService<Limiter>());
        limiter.Options.MaxRequestsPerMinute.ShouldBe(100);
        limiter.Options.MaxRetries.ShouldBe(5);
        limiter.Options.MaxConcurrentRequests.ShouldBe(PacerDefaults.MaxConcurrentRequests);
        limiter.TimeProvider.ShouldBeSameAs(TimeProvider.System);
        provider.GetRequiredService<PacerOptions>().ShouldBe(limiter.Options);
    }

    [Fact]
    public void AddPacer_RegisteredTimeProvider_IsTheLimitersClock()
    {
        var time = new FakeTimeProvider();
        var services = new ServiceCollection().AddSingleton<TimeProvider>(time).AddPacer(Configuration());
        using var provider = services.BuildServiceProvider();

        provider.GetRequiredService<Limiter>().TimeProvider.ShouldBeSameAs(time);
    }

    [Fact]
    public void AddPacer_RegisteredLogging_ReceivesTheLimitersOwnWarnings()
    {
        var logs = new FakeLoggerProvider();
        var time = new FakeTimeProvider();
        var services = new ServiceCollection().AddSingleton<TimeProvider>(time).AddLogging(b => b.AddProvider(logs)).AddPacer(Configuration());
        using var provider = services.BuildServiceProvider();
        var limiter = provider.GetRequiredService<Limiter>();

        // A 429 that only the "reserve max_tokens on arrival" accounting explains: output remaining above zero but below max_tokens.
        limiter.TryAcquire(Pacer.Tests.Limiting.LimiterFixture.Request(model: "claude-sonnet-4-5", input: 2_000, output: 8_000), out var permit).ShouldBeTrue();
        using (permit)
        {
            var headers = Pacer.Tests.Limiting.LimiterBudgetTests.Headers(time.GetUtcNow(), ("requests", 1_000, 500), ("input-tokens", 100_000, 50_000), ("output-tokens", 60_000, 3_000));
            headers.TryAddWithoutValidation("retry-after", "1");
            limiter.Observe(permit!, headers);
            limiter.Cooldown("k", "claude-sonnet-4-5", TimeSpan.FromSeconds(1));
        }

        var warning = logs.Collector.GetSnapshot().ShouldHaveSingleItem();
        warning.Category.ShouldBe(typeof(Limiter).FullName);
        warning.Level.ShouldBe(Microsoft.Extensions.Logging.LogLevel.Warning);
        warning.Message.ShouldContain("OutputReservation=auto now holds max_tokens");
    }

    [Fact]
    public void AddPacer_InvalidSettings_FailsAtStartupNamingEveryField()
    {
        var services = new ServiceCollection();

        var thrown = Should.Throw<PacerOptionsException>(() => services.AddPacer(Configuration(("ANTHROPIC_MAX_RETRIES", "11"), ("ANTHROPIC_BASE_DELAY", "fast"))));

        thrown.Errors.Select(e => e.Field).ShouldBe(["ANTHROPIC_MAX_RETRIES", "ANTHROPIC_BASE_DELAY"], ignoreOrder: true);
        thrown.Message.ShouldContain("0-10");
        thrown.Message.ShouldContain("100-10000 ms");
    }

    [Fact]
    public async Task HttpClientBuilderAddPacer_NamedClient_IsPacedAndReportsToRegisteredObservers()
    {
        var observer = new RecordingObserver();
        var upstream = new FakeUpstream(_ => Responses.Json(200, Responses.Message(3, 4)));
        var services = new ServiceCollection().AddSingleton<IRequestObserver>(observer);
        services.AddHttpClient("anthropic", c => c.BaseAddress = new Uri("https://api.anthropic.com"))
            .AddPacer(Configuration())
            .ConfigurePrimaryHttpMessageHandler(() => upstream);
        using var provider = services.BuildServiceProvider();
        var client = provider.GetRequiredService<IHttpClientFactory>().CreateClient("anthropic");

        using var response = await client.SendAsync(HandlerFixture.Messages(), TestContext.Current.CancellationToken);

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        response.Headers.GetValues(PacerHeaders.Attempts).ShouldBe(["1"]);
        client.Timeout.ShouldBe(Timeout.InfiniteTimeSpan);
        observer.Outcomes.ShouldHaveSingleItem().Usage.ShouldBe(new TokenUsage(3, 4));
        provider.GetRequiredService<Limiter>().Snapshot().Totals.Requests.ShouldBe(1);
    }

    [Fact]
    public void HttpClientBuilderAddPacer_WithoutAddPacer_SaysWhatIsMissing()
    {
        var services = new ServiceCollection();
        services.AddHttpClient("anthropic").AddPacer();
        using var provider = services.BuildServiceProvider();

        var thrown = Should.Throw<InvalidOperationException>(() => provider.GetRequiredService<IHttpClientFactory>().CreateClient("anthropic"));

        thrown.Message.ShouldContain("services.AddPacer(configuration)");
    }

    [Fact]
    public async Task PacerHttpClientCreate_SharedLimiter_IsPacedAndLeftUndisposed()
    {
        var time = new FakeTimeProvider();
        using var limiter = new Limiter(new PacerOptions(), time);
        var upstream = new FakeUpstream(_ => Responses.Json(200, Responses.Message(1, 1)));

        using (var client = PacerHttpClient.Create(limiter, innerHandler: upstream))
        {
            client.BaseAddress = new Uri("https://api.anthropic.com");
            using var response = await client.SendAsync(HandlerFixture.Messages(), TestContext.Current.CancellationToken);
            response.Headers.GetValues(PacerHeaders.Attempts).ShouldBe(["1"]);
            client.Timeout.ShouldBe(Timeout.InfiniteTimeSpan);
        }

        using var permit = await limiter.AcquireAsync(new AcquireRequest("k", "m", "u", default), TestContext.Current.CancellationToken);
        limiter.Snapshot().Totals.Requests.ShouldBe(1);
    }

    private static IConfiguration Configuration(params (string Key, string Value)[] values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value))).Build();
}
