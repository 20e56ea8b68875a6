using System.Net.Http.Headers;
using System.Text;
using FsCheck;
using FsCheck.Fluent;
using Pacer.Gateway.Tests.Support;

namespace Pacer.Gateway.Tests.Fuzz;

/// <summary>
/// The proxy under fuzzed bodies and headers, in front of an upstream that accepts everything: whatever the gateway
/// does not forward it refuses with a 4xx in Anthropic's shape, and nothing ends in a 5xx of its own.
/// </summary>
public sealed class ProxyFuzzTests(ProxyFuzzTests.Gateway fixture) : IClassFixture<ProxyFuzzTests.Gateway>
{
    private const int Slice = 150;
    private const string BudgetUser = "fuzz-budget";

    private static readonly Gen<string> Model = Gen.Frequency(
        (4, Gen.Elements("\"claude-sonnet-4-5\"", "\"claude-haiku-4-5-20251001\"", "\"\"", "\"\\ud800\"", "\"CLAUDE-SONNET-4-5-latest\"")),
        (2, FuzzJson.Scalar), (1, FuzzJson.Value()));

    private static readonly Gen<string> Messages = Gen.Frequency(
        (3, Gen.Elements("""[{"role":"user","content":"Hello"}]""", """[{"role":"user","content":[{"type":"text","text":"Hi"}]}]""", "[]")),
        (3, FuzzJson.Value("role", "content", "type", "text").Select(c => $$"""[{"role":"user","content":{{c}}}]""")),
        (2, FuzzJson.Value("role", "content", "type", "text", "source")),
        (1, FuzzJson.Deep),
        (1, FuzzJson.String));

    private static readonly Gen<string> Field = Gen.Frequency(
        (3, Gen.Elements("model", "max_tokens", "messages", "stream")),
        (1, Gen.Elements("metadata", "system", "tools", "thinking", "temperature", "Model", "")));

    private static readonly Gen<(string, string)> Member = Field.SelectMany(field => (field switch
    {
        "model" => Model,
        "max_tokens" => Gen.Frequency((6, FuzzJson.Number), (2, FuzzJson.Scalar)),
        "messages" => Messages,
        "stream" => Gen.Frequency((3, Gen.Elements("true", "false")), (1, FuzzJson.Scalar)),
        "metadata" => Gen.Frequency(
            (3, Gen.Elements(BudgetUser, "alice").Select(u => $$"""{"user_id":"{{u}}"}""")),
            (2, FuzzJson.Scalar.Select(v => $$"""{"user_id":{{v}}}""")),
            (1, FuzzJson.Value("user_id"))),
        _ => FuzzJson.Value(),
    }).Select(value => (field, value)));

    private static readonly Gen<byte[]> Body = FuzzJson.Body(
        Gen.Frequency(
            (4, Member.ListOf().Select(ms => FuzzJson.Object([("model", "\"claude-sonnet-4-5\""), ("max_tokens", "50"), ("messages", """[{"role":"user","content":"Hi"}]"""), .. ms.Take(6)]))),
            (2, Member.ListOf().Select(ms => FuzzJson.Object(ms.Take(8))))),
        "model", "max_tokens", "messages", "stream");

    private static readonly Gen<string> HeaderValue = Gen.Frequency(
        (6, Gen.Elements("", " ", "batch", " BATCH ", "interactive", "urgent", "2023-06-01", "1999-01-01", "Bearer sk-ant-x", "Bearer ", "Basic eA==",
            "sk-ant-fuzz", "application/json", "application/json; charset=utf-16", "text/plain", "gzip", "-1", "0", "1e9", "99999999999999999999",
            "\u0001", "a\tb", "\u007f", "é", "alice")),
        (2, Gen.Choose(0x20, 0x7E).Select(c => (char)c).ArrayOf().Select(cs => new string(cs))),
        (1, Gen.Elements(201, 4000).Select(n => new string('h', n))));

    private static readonly Gen<(string, string)> Header = Gen.Zip(
        Gen.Elements(ProxyEndpointHeaders.Names),
        HeaderValue);

    private HttpClient Client => fixture.Client;

    [Fact]
    public void Messages_FuzzedBodies_ForwardedOrRefusedCleanly()
    {
        var input = Gen.Zip(Body, Gen.Elements("/v1/messages", "/v1/messages", "/v1/messages", "/v1/messages/count_tokens"));
        FuzzRun.Check("proxy body", input, Slice, t =>
        {
            var (body, path) = t;
            using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new ByteArrayContent(body) };
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            request.Headers.Add("x-api-key", "sk-ant-fuzz");
            request.Headers.Add("anthropic-version", "2023-06-01");
            FuzzAnswer.Send(Client, request, $"POST {path} " + FuzzAnswer.Show(body), admin: false);
        });
    }

    [Fact]
    public void Messages_FuzzedHeaders_ForwardedOrRefusedCleanly()
    {
        var input = Gen.Zip(Header.ListOf(), Gen.Elements(true, true, true, false));
        FuzzRun.Check("proxy headers", input, Slice, t =>
        {
            var (headers, withKey) = t;
            using var request = GatewayRequests.Message();
            if (!withKey)
            {
                request.Headers.Remove("x-api-key");
            }

            var shown = new StringBuilder();
            foreach (var (name, value) in headers.Take(6))
            {
                if (name.Equals("content-type", StringComparison.OrdinalIgnoreCase))
                {
                    request.Content!.Headers.Remove(name);
                    request.Content.Headers.TryAddWithoutValidation(name, value);
                }
                else
                {
                    request.Headers.TryAddWithoutValidation(name, value);
                }

                shown.Append($"{name}: {value}\n");
            }

            FuzzAnswer.Send(Client, request, shown.ToString(), admin: false);
        });
    }

    /// <summary>The gateway in front of an upstream that answers 200 to everything, and a budget for one user so that budget checks run.</summary>
    public sealed class Gateway : IAsyncLifetime
    {
        private UpstreamGateway _setup = null!;

        // Header values go out as UTF-8, as some clients send them, so that non-ASCII values reach the server at all.
        internal HttpClient Client { get; private set; } = null!;

        public async ValueTask InitializeAsync()
        {
            _setup = await UpstreamGateway.StartAsync(new Dictionary<string, string?>
            {
                ["PACER_ADMIN_API_KEY"] = TestGateway.AdminKey,
                ["PACER_TRUST_USER_HEADER"] = "true",
                ["ANTHROPIC_RATE_LIMIT_PER_MINUTE"] = "1000",
                ["ANTHROPIC_CONCURRENT_REQUESTS"] = "50",
                ["PACER_BURST"] = "100",
            });
            using var budget = _setup.Gateway.Admin(HttpMethod.Put, "/api/admin/budgets/" + BudgetUser, """{"credits":1000000000,"period":"day"}""");
            (await _setup.Gateway.Client.SendAsync(budget)).EnsureSuccessStatusCode();
            Client = new HttpClient(new SocketsHttpHandler { RequestHeaderEncodingSelector = (_, _) => Encoding.UTF8 })
            {
                BaseAddress = _setup.Gateway.BaseUrl,
                Timeout = TimeSpan.FromSeconds(30),
            };
        }

        public async ValueTask DisposeAsync()
        {
            Client.Dispose();
            await _setup.DisposeAsync();
        }
    }

    private static class ProxyEndpointHeaders
    {
        public static readonly string[] Names =
        [
            "x-pacer-user", "x-pacer-endpoint", "x-pacer-priority", "x-pacer-deadline-ms", "anthropic-version", "anthropic-beta",
            "content-type", "x-api-key", "authorization", "x-stainless-timeout", "accept", "accept-encoding", "x-forwarded-for",
        ];
    }
}
