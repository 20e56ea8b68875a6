using Microsoft.Extensions.Configuration;
using Pacer.Simulator;
using Pacer.Simulator.Options;

namespace Pacer.Cli.Run;

/// <summary>
/// Where the requests go: <c>--base-url</c> (a gateway), else <c>ANTHROPIC_BASE_URL</c>, else the real API when
/// <c>ANTHROPIC_API_KEY</c> is set, else the built-in simulator started in this process, as the gateway does.
/// </summary>
internal sealed class Upstream : IAsyncDisposable
{
    public static readonly Uri AnthropicApi = new("https://api.anthropic.com");

    /// <summary>The key sent when none is configured (the simulator and a passthrough gateway in front of it accept any).</summary>
    public const string PlaceholderKey = "sk-ant-pacer-cli-no-key";

    private readonly SimulatorHost? _simulator;

    private Upstream(Uri baseUrl, string apiKey, bool hasKey, bool isGateway, SimulatorHost? simulator)
    {
        BaseUrl = baseUrl;
        ApiKey = apiKey;
        HasKey = hasKey;
        IsGateway = isGateway;
        _simulator = simulator;
    }

    public Uri BaseUrl { get; }

    public string ApiKey { get; }

    public bool HasKey { get; }

    /// <summary>Gets a value indicating whether the requests go through <c>--base-url</c> (they carry <c>x-pacer-priority</c>).</summary>
    public bool IsGateway { get; }

    public bool IsSimulator => _simulator is not null;

    /// <summary>Gets the address of <c>/v1/messages</c>, keeping a path prefix of the base address.</summary>
    public Uri MessagesUri => new(BaseUrl.AbsoluteUri.TrimEnd('/') + "/v1/messages");

    /// <summary>Resolves the upstream; an invalid <c>ANTHROPIC_BASE_URL</c> is returned as an error.</summary>
    public static async Task<(Upstream? Upstream, string? Error)> ResolveAsync(IConfiguration configuration, Uri? baseUrlFlag, CancellationToken cancellationToken)
    {
        var key = NonEmpty(configuration["ANTHROPIC_API_KEY"]);
        if (baseUrlFlag is not null)
        {
            return (new Upstream(baseUrlFlag, key ?? PlaceholderKey, key is not null, isGateway: true, null), null);
        }

        if (NonEmpty(configuration["ANTHROPIC_BASE_URL"]) is { } text)
        {
            if (!TryParseBaseUrl(text, out var uri))
            {
                return (null, $"ANTHROPIC_BASE_URL: '{text}' must be an absolute http:// or https:// address without a query, for example https://api.anthropic.com");
            }

            return (new Upstream(uri, key ?? PlaceholderKey, key is not null, isGateway: false, null), null);
        }

        if (key is not null)
        {
            return (new Upstream(AnthropicApi, key, hasKey: true, isGateway: false, null), null);
        }

        var options = new SimulatorOptions();
        configuration.GetSection(SimulatorOptions.SectionName).Bind(options);
        options.Host = "127.0.0.1";
        options.Port = 0;
        var simulator = await SimulatorHost.StartAsync(options, TimeProvider.System, cancellationToken).ConfigureAwait(false);
        return (new Upstream(simulator.BaseAddress, PlaceholderKey, hasKey: false, isGateway: false, simulator), null);
    }

    public static bool TryParseBaseUrl(string text, out Uri uri) =>
        Uri.TryCreate(text, UriKind.Absolute, out uri!) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps) && string.IsNullOrEmpty(uri.Query);

    /// <summary>The warning printed when the simulator is used, so that nobody mistakes simulated answers for the real API's.</summary>
    public string Banner() =>
        $"!!! NO UPSTREAM CONFIGURED: pacer run is using its BUILT-IN SIMULATOR of the Anthropic API at {BaseUrl} !!! "
        + "Answers are simulated and no real API call is made. To call the real API, set ANTHROPIC_API_KEY "
        + "(and ANTHROPIC_BASE_URL for another endpoint) in the environment or .env, or pass --base-url to send through a gateway.";

    public async ValueTask DisposeAsync()
    {
        if (_simulator is not null)
        {
            await _simulator.DisposeAsync().ConfigureAwait(false);
        }
    }

    private static string? NonEmpty(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();
}
