using System.Text.Json;
using System.Text.Json.Serialization;

namespace Pacer.Simulator.Control;

/// <summary>The body of <c>POST /_simulator/faults</c>: a fault script, optionally for one API key only.</summary>
internal sealed record FaultRequest(string? Script, string? ApiKey);

/// <summary>The attempt log as the control API returns it.</summary>
internal sealed record AttemptPage(IReadOnlyList<SimulatorAttempt> Data);

/// <summary>JSON of the control API (camelCase), generated at build time.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(FaultRequest))]
[JsonSerializable(typeof(AttemptPage))]
[JsonSerializable(typeof(Dictionary<string, object>))]
[JsonSerializable(typeof(Dictionary<string, long>))]
internal sealed partial class ControlJson : JsonSerializerContext;
