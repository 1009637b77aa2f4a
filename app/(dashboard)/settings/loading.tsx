import { PageSkeleton } from '@/components/shell/page-skeleton';

// Here and not for the whole dashboard: a loading boundary starts the answer (HTTP 200) before
// the pages inside it run, so a project, network, member or peer that does not exist could no
// longer answer 404. This page has no id to look up.
export default PageSkeleton;
