using System.IO.Compression;
using System.Reflection.Metadata;
using System.Text;
using System.Text.Json;
using System.Xml.Linq;
using Pacer.Simulator;
using Pacer.Simulator.Options;

namespace Pacer.Packaging.Tests;

/// <summary>What users download: the packed libraries, and a console project that takes Pacer as a package.</summary>
[Collection(typeof(PackedCollection))]
public sealed class ConsumerPackageTests(PackedLibraries packed)
{
    private static readonly Guid SourceLinkKind = new("CC110556-A091-4D38-9FEC-25AB9A351A6A");

    [Theory]
    [InlineData("Pacer")]
    [InlineData("Pacer.Anthropic")]
    [InlineData("Pacer.PostgreSql")]
    [InlineData("Pacer.Redis")]
    public void Pack_Library_CarriesItsReadmeLicenseRepositoryDocsAndSymbols(string id)
    {
        using var package = ZipFile.OpenRead(packed.Package(id));
        var entries = package.Entries.Select(e => e.FullName).ToList();
        entries.ShouldContain("README.md");
        entries.ShouldContain($"lib/net10.0/{id}.dll");
        entries.ShouldContain($"lib/net10.0/{id}.xml");

        var nuspec = Nuspec(package, id);
        Element(nuspec, "version").Value.ShouldBe(packed.Version);
        Element(nuspec, "readme").Value.ShouldBe("README.md");
        Element(nuspec, "license").Value.ShouldBe("MIT");
        Element(nuspec, "license").Attribute("type")!.Value.ShouldBe("expression");
        Element(nuspec, "description").Value.ShouldNotBeNullOrWhiteSpace();
        Element(nuspec, "tags").Value.ShouldContain("anthropic");
        Element(nuspec, "repository").Attribute("url")!.Value.ShouldBe("https://github.com/pacer-dev/pacer");

        using var symbols = ZipFile.OpenRead(packed.Package(id, "snupkg"));
        var pdb = symbols.GetEntry($"lib/net10.0/{id}.pdb");
        pdb.ShouldNotBeNull();
        if (Repository.IsGitWorkTree)
        {
            var commit = Element(nuspec, "repository").Attribute("commit")!.Value;
            commit.Length.ShouldBe(40);
            SourceLink(pdb).ShouldContain($"https://raw.githubusercontent.com/pacer-dev/pacer/{commit}/*");
        }
    }

    [Fact]
    public void Consumer_Restore_TakesPacerFromThePackedFolderAndTheSdkFromTheNormalSource()
    {
        using var assets = JsonDocument.Parse(File.ReadAllText(Path.Combine(packed.Consumer, "obj", "project.assets.json")));
        var libraries = assets.RootElement.GetProperty("libraries");

        libraries.GetProperty($"Pacer/{packed.Version}").GetProperty("type").GetString().ShouldBe("package");
        libraries.TryGetProperty($"Anthropic/{Repository.PinnedVersion("Anthropic")}", out _).ShouldBeTrue();
        File.Exists(packed.ConsumerAssembly).ShouldBeTrue();
    }

    [Fact]
    public async Task Consumer_CallThroughTheOfficialSdk_IsRetriedByPacerAndAnswered()
    {
        var options = new SimulatorOptions();
        options.Latency.Enabled = false;
        await using var simulator = await SimulatorHost.StartAsync(options).WaitAsync(TimeSpan.FromSeconds(60));
        simulator.QueueFaults("429:1,ok");

        var output = await Command.RunAsync("dotnet", [packed.ConsumerAssembly, "call", simulator.BaseAddress.ToString().TrimEnd('/')], packed.Consumer);

        // The SDK's own retries are off: the answer exists only because Pacer waited out the 429's retry-after.
        var answer = output.Split('\n').Single(l => l.StartsWith("answer: ", StringComparison.Ordinal)).Split(' ', 4);
        answer[1].ShouldStartWith("msg_");
        int.Parse(answer[2]).ShouldBeGreaterThan(0);
        answer[3].Trim().ShouldNotBeEmpty();
        simulator.Attempts().Select(a => (a.Path, a.Status)).ShouldBe([("/v1/messages", 429), ("/v1/messages", 200)]);
    }

    [Fact]
    public async Task Consumer_InvalidOptions_GetsTheGatewaysOneLineErrorInItsOwnNames()
    {
        var output = await Command.RunAsync("dotnet", [packed.ConsumerAssembly, "invalid"], packed.Consumer);

        output.TrimEnd().ShouldBe(SettingErrors.InCode);
    }

    private static XElement Nuspec(ZipArchive package, string id)
    {
        using var stream = package.GetEntry($"{id}.nuspec")!.Open();
        return XDocument.Load(stream).Root!;
    }

    private static XElement Element(XElement nuspec, string name) =>
        nuspec.Descendants().Single(e => e.Name.LocalName == name);

    private static string SourceLink(ZipArchiveEntry pdb)
    {
        using var stream = new MemoryStream();
        using (var entry = pdb.Open())
        {
            entry.CopyTo(stream);
        }

        stream.Position = 0;
        using var provider = MetadataReaderProvider.FromPortablePdbStream(stream);
        var reader = provider.GetMetadataReader();
        var sourceLink = reader.CustomDebugInformation
            .Select(reader.GetCustomDebugInformation)
            .Single(c => reader.GetGuid(c.Kind) == SourceLinkKind);
        return Encoding.UTF8.GetString(reader.GetBlobBytes(sourceLink.Value));
    }
}
