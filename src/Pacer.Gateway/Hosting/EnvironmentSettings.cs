using Pacer.Configuration;

namespace Pacer.Gateway.Hosting;

/// <summary>The policy given by the environment, <c>.env</c> and <c>appsettings.json</c>, before persisted admin updates.</summary>
/// <param name="Options">The policy.</param>
internal sealed record EnvironmentSettings(PacerOptions Options);
