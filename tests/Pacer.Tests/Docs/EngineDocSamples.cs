using System.Net.Http.Json;
using Anthropic;
using Anthropic.Models.Messages;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Pacer.Configuration;
using Pacer.Http;
using Pacer.Limiting;
using Pacer.Tests.Support;

namespace Pacer.Tests.Docs;

/// <summary>
/// The code samples of docs/ENGINE.md, kept here so that they compile with every build. Each region is copied into the
/// page as it stands; change both together.
/// </summary>
internal static class EngineDocSamples
{
    public static void DependencyInjection(string[] args)
    {
        #region di
        var builder = Host.CreateApplicationBuilder(args);
        builder.Configuration.AddPacerSources();                       // appsettings.json, .env, environment
        builder.Services.AddSingleton<IRequestObserver, ConsoleObserver>(); // optional: one outcome per request
        builder.Services
            .AddHttpClient("anthropic", client => client.BaseAddress = new Uri("https://api.anthropic.com"))
            .AddPacer(builder.Configuration);                          // binds, validates, registers the limiter
        using var host = builder.Build();
        #endregion
    }

    public static async Task<string> PlainHttpClient(IHttpClientFactory factory, string apiKey, CancellationToken cancellationToken)
    {
        #region httpclient
        var http = factory.CreateClient("anthropic");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/messages")
        {
            Content = JsonContent.Create(new
            {
                model = "claude-sonnet-4-5",
                max_tokens = 1000,
                messages = new[] { new { role = "user", content = "Hello" } },
            }),
        };
        request.Headers.Add("x-api-key", apiKey);
        request.Headers.Add("anthropic-version", "2023-06-01");
        request.Options.Set(PacerRequestOptions.User, "alice");                       // fair queuing and usage
        request.Options.Set(PacerRequestOptions.Endpoint, "/api/generate-scene");     // the seed's log lines
        request.Options.Set(PacerRequestOptions.Deadline, DateTimeOffset.UtcNow.AddSeconds(30));

        using var response = await http.SendAsync(request, cancellationToken);       // paced, limited, retried
        var attempts = response.Headers.GetValues(PacerHeaders.Attempts).Single();   // "1", "2", ...
        return await response.Content.ReadAsStringAsync(cancellationToken);          // the upstream's own body
        #endregion
    }

    public static async Task<Message> OfficialSdk(CancellationToken cancellationToken)
    {
        #region sdk
        var options = PacerConfiguration.Bind(new ConfigurationBuilder().AddPacerSources().Build());
        var client = new AnthropicClient
        {
            HttpClient = PacerHttpClient.Create(options),
            MaxRetries = 0, // Pacer retries; the SDK's own retries would multiply the attempts
        };

        var message = await client.Messages.Create(
            new MessageCreateParams
            {
                Model = "claude-sonnet-4-5",
                MaxTokens = 1000,
                Messages = [new UserMessageParam("Hello")],
            },
            cancellationToken);
        #endregion
        return message;
    }

    public static AnthropicClient OfficialSdkWithDependencyInjection(IServiceProvider services)
    {
        #region sdk-di
        var client = new AnthropicClient
        {
            HttpClient = services.GetRequiredService<IHttpClientFactory>().CreateClient("anthropic"),
            MaxRetries = 0,
        };
        #endregion
        return client;
    }

    public static async Task<HttpResponseMessage> Rejection(HttpClient http, HttpRequestMessage request, CancellationToken cancellationToken)
    {
        #region rejection
        try
        {
            return await http.SendAsync(request, cancellationToken);
        }
        catch (PacerRejectedException rejected)
        {
            // 429 rate_limit_error (529 overloaded_error when shutting down), retry-after, Anthropic's error body.
            return RejectionResponse.Create(rejected);
        }
        #endregion
    }

    private sealed class ConsoleObserver : IRequestObserver
    {
        public void OnCompleted(RequestOutcome outcome) =>
            Console.WriteLine($"{outcome.User} {outcome.Endpoint} {outcome.StatusCode} {outcome.Attempts} {outcome.Usage}");
    }
}

public sealed class EngineDocSamplesTests
{
    [Fact]
    public async Task Rejection_Sample_AnswersAnthropicsRateLimitShape()
    {
        var stream = new ControlledStream();
        using var fixture = new HandlerFixture(new FakeUpstream(_ => Sse.Response(stream)), new PacerOptions { MaxConcurrentRequests = 1, MaxQueueLength = 0 });
        using var holding = await fixture.SendAsync(HandlerFixture.Messages(), HttpCompletionOption.ResponseHeadersRead);

        using var response = await EngineDocSamples.Rejection(fixture.Client, HandlerFixture.Messages(), TestContext.Current.CancellationToken);

        ((int)response.StatusCode).ShouldBe(429);
        (await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).ShouldContain("\"type\":\"rate_limit_error\"");
    }
}
