using System.Net.Http.Headers;
using System.Text;
using Pacer.Simulator.Options;

namespace Pacer.Simulator.Tests;

/// <summary>Starts simulators for tests (zero latency unless told otherwise) and sends raw requests to them.</summary>
internal static class TestSimulator
{
    public static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    public static Task<SimulatorHost> StartAsync(Action<SimulatorOptions>? configure = null, TimeProvider? time = null)
    {
        var options = new SimulatorOptions();
        options.Latency.Enabled = false;
        configure?.Invoke(options);
        return SimulatorHost.StartAsync(options, time ?? TimeProvider.System).WaitAsync(Wait);
    }

    public static HttpClient Client(SimulatorHost host, string apiKey = "sk-test-key")
    {
        var client = new HttpClient { BaseAddress = host.BaseAddress, Timeout = Wait };
        if (apiKey.Length > 0)
        {
            client.DefaultRequestHeaders.Add("x-api-key", apiKey);
        }

        client.DefaultRequestHeaders.Add("anthropic-version", "2023-06-01");
        return client;
    }

    public static string Body(string model = "claude-sonnet-4-5", int maxTokens = 100, string content = "Hello there", bool stream = false) =>
        $$"""{"model":"{{model}}","max_tokens":{{maxTokens}},"stream":{{(stream ? "true" : "false")}},"messages":[{"role":"user","content":"{{content}}"}]}""";

    public static Task<HttpResponseMessage> PostAsync(HttpClient client, string body, string path = "v1/messages", string? fault = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        if (fault is not null)
        {
            request.Headers.Add("x-simulator-fault", fault);
        }

        return client.SendAsync(request).WaitAsync(Wait);
    }

    public static string Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? string.Join(",", values) : "";

    public static MediaTypeHeaderValue? ContentType(HttpResponseMessage response) => response.Content.Headers.ContentType;
}
