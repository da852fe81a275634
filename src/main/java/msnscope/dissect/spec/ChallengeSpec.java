package msnscope.dissect.spec;

import java.util.List;

/** CHL/QRY knowledge of {@code dissectors/challenge.yaml}: algorithms by version and product keys. */
public record ChallengeSpec(List<Algorithm> algorithms, List<Product> products) {

    public record Algorithm(VersionRange versions, String name) {
    }

    public record Product(String id, String key, int upTo) {
    }

    /** The algorithm used at a version ({@code md5} or {@code msnp11}), or null if none is declared. */
    public String algorithmFor(int version) {
        for (Algorithm a : algorithms) {
            if (a.versions().contains(version)) {
                return a.name();
            }
        }
        return null;
    }

    public Product product(String id) {
        for (Product p : products) {
            if (p.id().equals(id)) {
                return p;
            }
        }
        return null;
    }
}
