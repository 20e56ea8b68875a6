using Pacer.Simulator.Options;

namespace Pacer.Simulator.Models;

/// <summary>The models the simulator serves, found by id or alias (case-sensitive, as the real API).</summary>
internal sealed class ModelCatalog
{
    private readonly Dictionary<string, ModelOptions> _byName = new(StringComparer.Ordinal);

    public ModelCatalog(IEnumerable<ModelOptions> models)
    {
        ArgumentNullException.ThrowIfNull(models);
        All = [.. models];
        foreach (var model in All)
        {
            _byName.TryAdd(model.Id, model);
            foreach (var alias in model.Aliases)
            {
                _byName.TryAdd(alias, model);
            }
        }
    }

    /// <summary>Every model, newest first as <c>GET /v1/models</c> lists them.</summary>
    public IReadOnlyList<ModelOptions> All { get; }

    /// <summary>The model whose pool answers requests that name no model (the first in the catalog).</summary>
    public ModelOptions Default => All[0];

    public static ModelCatalog From(SimulatorOptions options) =>
        new(options.Models.Count > 0 ? options.Models : BuiltInModels.All);

    public ModelOptions? Find(string name) => _byName.GetValueOrDefault(name);
}
