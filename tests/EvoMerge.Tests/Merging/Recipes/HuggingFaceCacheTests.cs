using EvoMerge.Merging.Recipes;
using Xunit;

namespace EvoMerge.Tests.Merging.Recipes;

/// <summary>Hub names resolve from a HuggingFace cache laid out as huggingface_hub writes it.</summary>
public class HuggingFaceCacheTests
{
    private const string Main = "0123456789abcdef0123456789abcdef01234567";
    private const string Tagged = "fedcba9876543210fedcba9876543210fedcba98";

    /// <summary>models--org--name with refs/main and refs/v1 pointing at two snapshots.</summary>
    private static HuggingFaceCache Cache(TempDirectory dir)
    {
        string repository = dir.Combine("models--org--name");
        Directory.CreateDirectory(Path.Combine(repository, "refs"));
        File.WriteAllText(Path.Combine(repository, "refs", "main"), Main);
        File.WriteAllText(Path.Combine(repository, "refs", "v1"), Tagged + "\n");
        Directory.CreateDirectory(Path.Combine(repository, "snapshots", Main));
        Directory.CreateDirectory(Path.Combine(repository, "snapshots", Tagged));
        return new HuggingFaceCache(dir.Path);
    }

    [Fact]
    public void A_name_without_revision_is_the_snapshot_main_points_at()
    {
        using var dir = new TempDirectory();
        Assert.Equal(dir.Combine("models--org--name", "snapshots", Main), Cache(dir).Snapshot("org/name", null));
    }

    [Fact]
    public void A_tag_resolves_through_its_ref_file_and_a_commit_hash_names_its_snapshot()
    {
        using var dir = new TempDirectory();
        var cache = Cache(dir);
        Assert.Equal(dir.Combine("models--org--name", "snapshots", Tagged), cache.Snapshot("org/name", "v1"));
        Assert.Equal(dir.Combine("models--org--name", "snapshots", Tagged), cache.Snapshot("org/name", Tagged));
    }

    [Fact]
    public void What_is_not_cached_is_null()
    {
        using var dir = new TempDirectory();
        var cache = Cache(dir);
        Assert.Null(cache.Snapshot("org/name", "v2"));
        Assert.Null(cache.Snapshot("org/other", null));
        Assert.Null(cache.Snapshot("org/name", "1111111111111111111111111111111111111111"));
    }

    [Theory]
    [InlineData("org/name", true)]
    [InlineData("mistralai/Mistral-7B-v0.1", true)]
    [InlineData("BioMistral/BioMistral-7B", true)]
    [InlineData("name", false)]
    [InlineData("./org/name", false)]
    [InlineData("../models/a", false)]
    [InlineData("/abs/path", false)]
    [InlineData("a/b/c", false)]
    public void A_repository_id_is_org_slash_name(string name, bool expected) => Assert.Equal(expected, HuggingFaceCache.IsRepoId(name));

    [Fact]
    public void A_hub_name_that_is_not_cached_is_an_error_naming_the_name_and_the_cache_folder()
    {
        string repo = "evomerge-test-org/not-cached-" + Guid.NewGuid().ToString("N");
        var error = RecipeText.Error($"models:\n  - model: {repo}@v0.0.1\nmerge_method: linear\n");
        string folder = HuggingFaceCache.FromEnvironment().RepositoryDirectory(repo);
        Assert.Equal($"recipe.yml:2: models[0].model '{repo}@v0.0.1': no local directory {Path.GetFullPath(Path.Combine(RecipeText.ModelRoot, repo))}, and revision 'v0.0.1' is not in the HuggingFace cache {folder} (EvoMerge does not download; fetch it first, e.g. huggingface-cli download {repo} --revision v0.0.1)", error.Message);
    }

    [Fact]
    public void A_local_directory_with_a_revision_is_that_directory()
    {
        using var dir = new TempDirectory();
        Directory.CreateDirectory(dir.Combine("org", "a"));
        var local = RecipeReader.Parse("models:\n  - model: org/a@v0.0.1\nmerge_method: linear\n", "recipe.yml", dir.Path);
        Assert.Equal(dir.Combine("org", "a"), local.Slices[0].Sources[0].Model.Path);
        Assert.Equal("org/a@v0.0.1", local.Slices[0].Sources[0].Model.Name);
    }
}
