// The App Store's storefronts, by the two-letter code the customer-review feed takes in its path.
//
// The 175 countries and regions App Store Connect lists as App Store territories (its territory codes are
// ISO 3166-1 alpha-3, e.g. GBR), written as the lowercase ISO 3166-1 alpha-2 codes of the storefront URLs
// (apps.apple.com/gb/..., itunes.apple.com/gb/rss/customerreviews/...). Kosovo, which has no ISO code,
// is Apple's "xk". When Apple opens or closes a storefront, this list is the one place to change.
#include "connectors/appstore/appstore_connector.hpp"

#include <array>

namespace chorus::connectors::appstore {

namespace {

constexpr std::array<std::string_view, 175> kStorefronts{
    "ae", "af", "ag", "ai", "al", "am", "ao", "ar", "at", "au", "az", "ba", "bb", "be", "bf", "bg", "bh", "bj",
    "bm", "bn", "bo", "br", "bs", "bt", "bw", "by", "bz", "ca", "cd", "cg", "ch", "ci", "cl", "cm", "cn", "co",
    "cr", "cv", "cy", "cz", "de", "dk", "dm", "do", "dz", "ec", "ee", "eg", "es", "fi", "fj", "fm", "fr", "ga",
    "gb", "gd", "ge", "gh", "gm", "gr", "gt", "gw", "gy", "hk", "hn", "hr", "hu", "id", "ie", "il", "in", "iq",
    "is", "it", "jm", "jo", "jp", "ke", "kg", "kh", "kn", "kr", "kw", "ky", "kz", "la", "lb", "lc", "lk", "lr",
    "lt", "lu", "lv", "ly", "ma", "md", "me", "mg", "mk", "ml", "mm", "mn", "mo", "mr", "ms", "mt", "mu", "mv",
    "mw", "mx", "my", "mz", "na", "ne", "ng", "ni", "nl", "no", "np", "nr", "nz", "om", "pa", "pe", "pg", "ph",
    "pk", "pl", "pt", "pw", "py", "qa", "ro", "rs", "ru", "rw", "sa", "sb", "sc", "se", "sg", "si", "sk", "sl",
    "sn", "sr", "st", "sv", "sz", "tc", "td", "th", "tj", "tm", "tn", "to", "tr", "tt", "tw", "tz", "ua", "ug",
    "us", "uy", "uz", "vc", "ve", "vg", "vn", "vu", "xk", "ye", "za", "zm", "zw",
};

}  // namespace

std::vector<std::string> storefront_countries() { return {kStorefronts.begin(), kStorefronts.end()}; }

}  // namespace chorus::connectors::appstore
