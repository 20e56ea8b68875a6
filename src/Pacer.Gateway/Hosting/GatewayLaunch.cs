using Pacer.Configuration;

namespace Pacer.Gateway.Hosting;

/// <summary>How to start a gateway: arguments, configuration sources, and a hook for hosts that embed it (tests).</summary>
internal sealed record GatewayLaunch
{
    /// <summary>Gets the command-line arguments (<c>--urls</c> is honoured).</summary>
    public IReadOnlyList<string> Args { get; init; } = [];

    /// <summary>Gets what adds the configuration sources; by default <c>appsettings.json</c>, <c>.env</c> and the environment.</summary>
    public Action<IConfigurationBuilder> AddSources { get; init; } = static builder => builder.AddPacerSources();

    /// <summary>Gets a last change to the builder before it is built (for example a test's log capture).</summary>
    public Action<WebApplicationBuilder>? Customize { get; init; }
}
